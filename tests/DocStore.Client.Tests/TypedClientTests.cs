using System.Text.Json;
using DocStore.Client.Tests.Infrastructure;

namespace DocStore.Client.Tests;

public sealed record Cart(string Id, string Pk, IReadOnlyList<string> Items, double Total, int Count = 0, string? Note = null);

public sealed record Order(string Id, OrderCustomer Customer, long Quantity);

public sealed record OrderCustomer(string Id);

public sealed record PricedOrder(string Id, double UnitPrice);

public sealed class TypedClientTests(TestDocStore server) : IClassFixture<TestDocStore>
{
    private readonly DocStoreClient _client = DocStoreClient.Create(server.Channel);

    private static string NewId() => "doc-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Get_after_upsert_returns_the_typed_document_with_its_metadata()
    {
        var id = NewId();
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        var written = await _client.UpsertAsync("items", new Cart(id, "alice", ["apple", "pear"], 3.5, Count: 2));

        var read = await _client.GetAsync<Cart>("items", id, "alice");

        Assert.Equal(id, read.Value.Id);
        Assert.Equal("alice", read.Value.Pk);
        Assert.Equal(["apple", "pear"], read.Value.Items);
        Assert.Equal(3.5, read.Value.Total);
        Assert.Equal(2, read.Value.Count);
        Assert.Null(read.Value.Note);
        Assert.Equal(id, read.Id);
        Assert.Equal("alice", read.PartitionKey);
        Assert.Equal(written.ETag, read.ETag);
        Assert.StartsWith("\"", read.ETag, StringComparison.Ordinal);
        Assert.Equal(written.UpdateTime, read.UpdateTime);
        Assert.InRange(read.UpdateTime, before, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.Matches("^0:-1#[0-9]+$", written.SessionToken);
        Assert.Equal(written.SessionToken, read.SessionToken);
        Assert.Equal(5.0, written.RequestCharge);
        Assert.Equal(1.0, read.RequestCharge);
        Assert.Equal(written.Value, read.Value with { Items = written.Value.Items });
    }

    [Fact]
    public async Task Documents_are_written_with_camel_case_names_by_default_and_read_back_as_other_types()
    {
        var id = NewId();
        await _client.UpsertAsync("items", new Cart(id, "p", [], 1));

        var raw = await _client.GetAsync<JsonElement>("items", id, "p");

        Assert.Equal(id, raw.Value.GetProperty("id").GetString());
        Assert.Equal(1, raw.Value.GetProperty("total").GetInt32());
        Assert.False(raw.Value.TryGetProperty("Total", out _));
    }

    [Fact]
    public async Task The_callers_serializer_options_are_used_both_ways()
    {
        var options = new DocStoreClientOptions
        {
            JsonSerializerOptions = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower },
        };
        var client = DocStoreClient.Create(server.Channel, options);
        var id = NewId();

        // The collection's partition key is "/customer/id"; snake_case keeps both names as they are.
        await client.UpsertAsync("orders", new { id, customer = new { id = "c1" }, UnitPrice = 2.5 });
        var read = await client.GetAsync<JsonElement>("orders", id, "c1");

        Assert.Equal(2.5, read.Value.GetProperty("unit_price").GetDouble());
        Assert.Equal(new PricedOrder(id, 2.5), (await client.GetAsync<PricedOrder>("orders", id, "c1")).Value);
    }

    [Fact]
    public async Task Whole_numbers_read_back_into_integer_properties()
    {
        var id = NewId();
        await _client.UpsertAsync("orders", new Order(id, new OrderCustomer("c9"), 9_007_199_254_740_992));

        var read = await _client.GetAsync<Order>("orders", id, "c9");

        Assert.Equal(9_007_199_254_740_992, read.Value.Quantity);
        Assert.Equal("c9", read.Value.Customer.Id);
    }

    [Fact]
    public async Task A_patch_applies_every_operation_in_order_and_returns_the_result()
    {
        var id = NewId();
        var written = await _client.UpsertAsync("items", new Cart(id, "p", ["apple"], 3, Note: "draft"));

        var patched = await _client.PatchAsync<Cart>("items", id, "p",
            Patch.Increment("/total", 2)
                .Add("/items/-", "pear")
                .Set("/count", 7)
                .Replace("/items/0", "fig")
                .Remove("/note"),
            ifMatch: written.ETag);

        Assert.Equal(new Cart(id, "p", patched.Value.Items, 5, 7), patched.Value);
        Assert.Equal(["fig", "pear"], patched.Value.Items);
        Assert.NotEqual(written.ETag, patched.ETag);
        Assert.Equal(patched.ETag, (await _client.GetAsync<Cart>("items", id, "p")).ETag);
    }

    [Fact]
    public async Task A_patch_can_set_objects_and_move_values()
    {
        var id = NewId();
        await _client.UpsertAsync("items", new { id, pk = "p", a = 1 });

        var patched = await _client.PatchAsync<JsonElement>("items", id, "p",
            Patch.Set("/shipping", new { City = "Oslo", Days = 2 }).Move("/a", "/b"));

        Assert.Equal("Oslo", patched.Value.GetProperty("shipping").GetProperty("city").GetString());
        Assert.Equal(1, patched.Value.GetProperty("b").GetInt32());
        Assert.False(patched.Value.TryGetProperty("a", out _));
    }

    [Fact]
    public async Task The_client_remembers_the_newest_session_token_of_each_partition()
    {
        var id = NewId();
        Assert.Null(_client.GetSessionToken("items", "remember"));

        var first = await _client.UpsertAsync("items", new Cart(id, "remember", [], 1));
        Assert.Equal(first.SessionToken, _client.GetSessionToken("items", "remember"));

        var second = await _client.PatchAsync<Cart>("items", id, "remember", Patch.Increment("/total", 1));
        Assert.Equal(second.SessionToken, _client.GetSessionToken("items", "remember"));
        Assert.NotEqual(first.SessionToken, second.SessionToken);
        Assert.Null(_client.GetSessionToken("items", "another-partition"));
        Assert.Null(_client.GetSessionToken("orders", "remember"));
    }

    [Fact]
    public async Task A_session_token_that_is_set_is_sent_on_the_next_get()
    {
        var client = DocStoreClient.Create(server.Channel);
        var id = NewId();
        await client.UpsertAsync("items", new Cart(id, "p", [], 1));

        // The server checks a token's form, so a malformed one shows that the client sent it.
        client.SetSessionToken("items", "p", "not-a-token");
        var e = await Assert.ThrowsAsync<DocStoreInvalidArgumentException>(() => client.GetAsync<Cart>("items", id, "p"));
        Assert.Equal("session_token", Assert.Single(e.FieldViolations).Field);

        client.SetSessionToken("items", "p", null);
        Assert.Equal(1, (await client.GetAsync<Cart>("items", id, "p")).Value.Total);
    }

    [Fact]
    public async Task A_client_that_does_not_track_sessions_sends_no_token()
    {
        var client = DocStoreClient.Create(server.Channel, new DocStoreClientOptions { TrackSessionTokens = false });
        var id = NewId();
        var written = await client.UpsertAsync("items", new Cart(id, "p", [], 1));

        Assert.Null(client.GetSessionToken("items", "p"));
        Assert.Throws<InvalidOperationException>(() => client.SetSessionToken("items", "p", written.SessionToken));
        Assert.Equal(written.SessionToken, (await client.GetAsync<Cart>("items", id, "p")).SessionToken);
    }

    [Fact]
    public async Task A_document_that_is_not_a_json_object_is_refused_before_sending()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => _client.UpsertAsync("items", new List<int> { 1, 2 }));
        Assert.Equal("document", e.ParamName);
    }
}
