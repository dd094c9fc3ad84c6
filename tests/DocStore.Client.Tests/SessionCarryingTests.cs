using DocStore.Client.Tests.Infrastructure;

namespace DocStore.Client.Tests;

/// <summary>
/// Two server instances over one SQLite file whose replicas lag (DocStore:Embedded:ReplicaLag), with token
/// sharing between instances off: the stale-read bug DocStore exists for, and the client's part in the fix.
/// The lag is a minute, so "stale" cannot turn fresh while a test runs on a slow machine.
/// </summary>
public sealed class SessionCarryingTests : IDisposable
{
    private static readonly Dictionary<string, string> Lagging = new()
    {
        ["DocStore:Embedded:ReplicaLag"] = "00:01:00",
        ["DocStore:SessionTokens:Sharing"] = "Off",
    };

    private readonly TestDocStore _a;
    private readonly TestDocStore _b;

    public SessionCarryingTests()
    {
        _a = TestDocStore.Create(settings: Lagging);
        _b = TestDocStore.Create(_a.DatabasePath, Lagging);
    }

    private static string NewId() => "doc-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Without_a_token_a_read_through_another_instance_is_stale()
    {
        var id = NewId();
        await DocStoreClient.Create(_a.Channel).UpsertAsync("items", new Cart(id, "p", [], 1));

        var stranger = DocStoreClient.Create(_b.Channel);
        await Assert.ThrowsAsync<DocStoreNotFoundException>(() => stranger.GetAsync<Cart>("items", id, "p"));
    }

    [Fact]
    public async Task The_client_reads_its_own_writes_through_another_instance()
    {
        var id = NewId();
        var client = DocStoreClient.Create(new SplitChannel(_a.Channel, _b.Channel));
        var stranger = DocStoreClient.Create(_b.Channel);

        // Each read without the client's token comes first: instance B, like a CosmosClient, remembers the
        // newest state it has read, so after the client's read it would be fresh for everyone.
        await client.UpsertAsync("items", new Cart(id, "p", [], 1));
        await Assert.ThrowsAsync<DocStoreNotFoundException>(() => stranger.GetAsync<Cart>("items", id, "p"));
        Assert.Equal(1, (await client.GetAsync<Cart>("items", id, "p")).Value.Total);

        await client.PatchAsync<Cart>("items", id, "p", Patch.Increment("/total", 1));
        Assert.Equal(1, (await stranger.GetAsync<Cart>("items", id, "p")).Value.Total);
        Assert.Equal(2, (await client.GetAsync<Cart>("items", id, "p")).Value.Total);
    }

    [Fact]
    public async Task A_session_carried_to_another_process_reads_fresh()
    {
        var id = NewId();
        var writer = DocStoreClient.Create(_a.Channel);
        var written = await writer.UpsertAsync("items", new Cart(id, "p", [], 7));

        // A web front end would put the token in a cookie; the next request's process reads it back.
        var cookie = writer.GetSessionToken("items", "p");
        Assert.Equal(written.SessionToken, cookie);
        var reader = DocStoreClient.Create(_b.Channel);
        await Assert.ThrowsAsync<DocStoreNotFoundException>(() => reader.GetAsync<Cart>("items", id, "p"));

        reader.SetSessionToken("items", "p", cookie);
        Assert.Equal(7, (await reader.GetAsync<Cart>("items", id, "p")).Value.Total);
    }

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
    }
}
