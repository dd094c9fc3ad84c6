using System.Net;
using System.Text;
using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using static DocStore.Server.Tests.Query.ProtoFilters;

namespace DocStore.Server.Tests.Cosmos;

/// <summary>
/// What the Cosmos store sends for the change feed, a query and a conditional patch, checked on the
/// wire through <see cref="FaultInjectingHandler"/>, with Cosmos DB's answers written out where a case needs
/// one the peer's model does not give (several ranges, exact charges).
/// </summary>
[Collection(CosmosPeerGroup.Name)]
public sealed class CosmosChangeFeedFaultTests : IDisposable
{
    private readonly FaultInjectingHandler _faults;
    private readonly DocStoreService.DocStoreServiceClient _client;

    public CosmosChangeFeedFaultTests(CosmosPeerFixture peer)
    {
        _client = peer.FaultServer.Client;
        _faults = peer.Faults;
        _faults.Reset();
    }

    public void Dispose() => _faults.Reset();

    private static HttpResponseMessage Feed(string lsn, params string[] documents)
    {
        var response = new HttpResponseMessage(documents.Length == 0 ? HttpStatusCode.NotModified : HttpStatusCode.OK)
        {
            Content = new StringContent($$"""{"_rid":"gAABAIAAAAE=","Documents":[{{string.Join(",", documents)}}],"_count":{{documents.Length}}}""", Encoding.UTF8, "application/json"),
        };
        response.Headers.TryAddWithoutValidation("etag", $"\"{lsn}\"");
        response.Headers.TryAddWithoutValidation("x-ms-session-token", $"0:-1#{lsn}");
        response.Headers.TryAddWithoutValidation("x-ms-request-charge", "2.5");
        response.Headers.TryAddWithoutValidation("x-ms-item-count", documents.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        response.Headers.TryAddWithoutValidation("x-ms-activity-id", Guid.NewGuid().ToString());
        return response;
    }

    private static bool IsChangeFeed(HttpRequestMessage request) =>
        request.Headers.TryGetValues("A-IM", out var values) && values.Contains("Incremental Feed", StringComparer.OrdinalIgnoreCase);

    [Fact]
    public async Task ReadChanges_uses_the_incremental_feed_and_resumes_from_its_continuation()
    {
        _faults.Fault = request => IsChangeFeed(request)
            ? request.Headers.IfNoneMatch.Count == 0
                ? Feed("5", """{"id":"a","pk":"p","n":1,"_etag":"\"e1\"","_ts":1700000000,"_lsn":5}""")
                : Feed("5")
            : null;

        var first = await _client.ReadChangesAsync(new ReadChangesRequest { Collection = "items", PartitionKey = "p" });
        Assert.True(first.Documents.Count == 1, string.Join("\n", _faults.Requests.Select(r => r.Method + " " + r.Path + " " + string.Join(";", r.Headers.Select(h => h.Key + "=" + h.Value)))));
        var document = first.Documents[0];
        Assert.Equal("a", document.Id);
        Assert.Equal("p", document.PartitionKey);
        Assert.Equal("\"e1\"", document.Etag);
        Assert.False(document.Body.Fields.ContainsKey("_lsn"), "A system-looking property the store added stayed in the body.");
        Assert.Equal(2.5, first.Info.RequestCharge);

        var sent = _faults.Requests.Last();
        Assert.Equal(HttpMethod.Get, sent.Method);
        Assert.Contains("[\"p\"]", sent.Headers["x-ms-documentdb-partitionkey"], StringComparison.Ordinal);

        var next = await _client.ReadChangesAsync(new ReadChangesRequest { Collection = "items", PartitionKey = "p", Continuation = first.Continuation });
        Assert.Empty(next.Documents);
        Assert.NotEmpty(next.Continuation);
        Assert.Equal("\"5\"", _faults.Requests.Last().Headers["If-None-Match"]);
    }

    [Fact]
    public async Task From_now_and_a_start_time_become_the_feeds_start()
    {
        _faults.Fault = request => IsChangeFeed(request) ? Feed("9") : null;

        await _client.ReadChangesAsync(new ReadChangesRequest { Collection = "items", FromNow = true });
        Assert.Equal("*", _faults.Requests.Last().Headers["If-None-Match"]);

        var since = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        await _client.ReadChangesAsync(new ReadChangesRequest { Collection = "items", StartTime = Timestamp.FromDateTimeOffset(since) });
        Assert.Equal(since, DateTimeOffset.Parse(_faults.Requests.Last().Headers["If-Modified-Since"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_query_sends_its_values_as_parameters_for_its_partition()
    {
        await _client.QueryAsync(new QueryRequest { Collection = "items", PartitionKey = "p", Filter = Field("/status", FieldFilter.Types.Operator.Equal, "\"o'pen\"") });

        var sent = _faults.Requests.Last();
        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Contains("[\"p\"]", sent.Headers["x-ms-documentdb-partitionkey"], StringComparison.Ordinal);
        var body = System.Text.Json.JsonDocument.Parse(_faults.Bodies.Last()).RootElement;
        Assert.Equal("""SELECT * FROM c WHERE (c["pk"] = @p0) AND (c["status"] = @p1)""", body.GetProperty("query").GetString());
        Assert.Equal("o'pen", body.GetProperty("parameters")[1].GetProperty("value").GetString());
    }

    [Fact]
    public async Task A_conditional_patch_sends_a_filter_predicate_and_a_412_without_if_match_is_condition_not_met()
    {
        _faults.Fault = request => request.Method == HttpMethod.Patch
            ? FaultInjectingHandler.Error(HttpStatusCode.PreconditionFailed, "Operation cannot be performed because one of the specified precondition is not met.")
            : null;

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "CONDITION_NOT_MET", () => _client.PatchAsync(new PatchRequest
        {
            Collection = "items",
            Id = "x",
            PartitionKey = "p",
            Operations = { new PatchOperation { Increment = new IncrementOperation { Path = "/n", By = 1 } } },
            Condition = Field("/status", FieldFilter.Types.Operator.Equal, "\"it's \\\"open\\\"\""),
        }).ResponseAsync);

        var body = System.Text.Json.JsonDocument.Parse(_faults.Bodies.Last()).RootElement;
        Assert.Equal("FROM c WHERE (c[\"status\"] = \"it\\u0027s \\u0022open\\u0022\")", body.GetProperty("condition").GetString());
    }
}
