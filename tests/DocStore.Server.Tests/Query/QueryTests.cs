extern alias server;

using System.Text.Json.Nodes;
using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Grpc.Core;
using static DocStore.V1.FieldFilter.Types;

namespace DocStore.Server.Tests.Query;

/// <summary>
/// Query and conditional Patch through the real gRPC stack, the same cases on every store: see
/// <see cref="EmbeddedQueryTests"/> and <see cref="Cosmos.CosmosQueryTests"/>.
/// </summary>
public abstract class QueryTests(IContractServer server)
{
    private readonly DocStoreService.DocStoreServiceClient _client = server.Client;
    private readonly string _partition = "q-" + Guid.NewGuid().ToString("N");

    public static TheoryData<string, object, string> Rules => FilterEngineTests.Rules;

    /// <summary>Writes the engine tests' corpus into this test's own partition.</summary>
    protected async Task SeedCorpusAsync()
    {
        foreach (var (id, json) in Filters.Corpus)
        {
            var document = JsonNode.Parse(json)!.AsObject();
            document["id"] = id;
            document["pk"] = _partition;
            await UpsertAsync(document.ToJsonString());
        }
    }

    private Task<UpsertResponse> UpsertAsync(string json, string collection = "items") =>
        _client.UpsertAsync(new UpsertRequest { Collection = collection, Document = Json.Struct(json) }).ResponseAsync;

    protected QueryRequest Request(Filter? filter = null, int pageSize = 0, params OrderBy[] orderBy) =>
        new() { Collection = "items", PartitionKey = _partition, Filter = filter, PageSize = pageSize, OrderBy = { orderBy } };

    /// <summary>Follows every page and returns the ids in the order received.</summary>
    protected async Task<List<string>> AllIdsAsync(QueryRequest request)
    {
        var ids = new List<string>();
        while (true)
        {
            var page = await _client.QueryAsync(request);
            ids.AddRange(page.Documents.Select(d => d.Id));
            if (page.NextPageToken.Length == 0)
            {
                return ids;
            }

            request = request.Clone();
            request.PageToken = page.NextPageToken;
        }
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public virtual async Task Filter_rule_holds(string rule, object filter, string expected)
    {
        await SeedCorpusAsync();
        var ids = await AllIdsAsync(Request(ProtoFilters.ToProto((server::DocStore.Server.Storage.Query.DocumentFilter)filter)));
        Assert.True(
            expected.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).SequenceEqual(ids.Order(StringComparer.Ordinal)),
            $"{rule}: got [{string.Join(' ', ids.Order(StringComparer.Ordinal))}]");
    }

    [Fact]
    public virtual async Task Order_by_puts_documents_that_lack_the_path_first_and_descending_reverses_exactly()
    {
        await SeedCorpusAsync();
        string[] ascending = ["cafe1", "cafe2", "missing", "nested", "null", "false", "true", "big", "num10", "num10f", "str10", "arr", "obj"];
        Assert.Equal(ascending, await AllIdsAsync(Request(pageSize: 4, orderBy: new OrderBy { Path = "/v" })));
        Assert.Equal(ascending.Reverse(), await AllIdsAsync(Request(pageSize: 4, orderBy: new OrderBy { Path = "/v", Descending = true })));
    }

    [Fact]
    public async Task A_query_returns_whole_documents_with_their_metadata_and_a_session_token()
    {
        var written = await UpsertAsync($$"""{"id":"one","pk":"{{_partition}}","status":"open","total":12}""");
        await UpsertAsync($$"""{"id":"two","pk":"{{_partition}}","status":"closed","total":30}""");

        var page = await _client.QueryAsync(Request(ProtoFilters.Field("/status", Operator.Equal, "\"open\"")));

        var document = Assert.Single(page.Documents);
        Assert.Equal("one", document.Id);
        Assert.Equal(_partition, document.PartitionKey);
        Assert.Equal(written.Document.Etag, document.Etag);
        Assert.Equal(written.Document.Body, document.Body);
        Assert.Equal(written.Document.UpdateTime, document.UpdateTime);
        Assert.Empty(page.NextPageToken);
        Assert.True(page.Info.RequestCharge > 0);
    }

    [Fact]
    public async Task A_query_returns_the_body_in_the_format_asked_for_and_a_page_token_holds_across_formats()
    {
        Dictionary<string, string> bodies = new()
        {
            ["j1"] = $$"""{"id":"j1","pk":"{{_partition}}","name":"café","n":10}""",
            ["j2"] = $$$"""{"id":"j2","pk":"{{{_partition}}}","nested":{"a":[1,2]}}""",
        };
        foreach (var body in bodies.Values)
        {
            await UpsertAsync(body);
        }

        var request = Request(pageSize: 1);
        request.BodyFormat = BodyFormat.Json;
        var first = await _client.QueryAsync(request);
        var json = Assert.Single(first.Documents);
        Assert.Null(json.Body);
        var got = await _client.GetAsync(new GetRequest { Collection = "items", Id = json.Id, PartitionKey = _partition, BodyFormat = BodyFormat.Json });
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(got.Document.BodyJson.Span), JsonNode.Parse(json.BodyJson.Span)), $"{got.Document.BodyJson.ToStringUtf8()} != {json.BodyJson.ToStringUtf8()}");

        // The token binds the query, not the body format: the next page may come as Struct.
        var next = request.Clone();
        next.BodyFormat = BodyFormat.Struct;
        next.PageToken = first.NextPageToken;
        var rest = await AllIdsAsync(next);
        var second = Assert.Single(rest, id => id != json.Id);
        var structPage = await _client.QueryAsync(new QueryRequest
        {
            Collection = "items",
            PartitionKey = _partition,
            Filter = ProtoFilters.Field("/id", Operator.Equal, $"\"{second}\""),
            BodyFormat = BodyFormat.Struct,
        });
        var document = Assert.Single(structPage.Documents);
        Assert.True(document.BodyJson.IsEmpty);
        Json.Equal(bodies[second], document.Body);
    }

    [Fact]
    public async Task A_query_sees_only_its_partition()
    {
        await UpsertAsync($$"""{"id":"mine","pk":"{{_partition}}","n":1}""");
        await UpsertAsync($$"""{"id":"other","pk":"{{_partition}}-other","n":1}""");

        Assert.Equal(["mine"], await AllIdsAsync(Request()));
    }

    [Fact]
    public virtual async Task Pages_follow_each_other_without_gaps_or_repeats()
    {
        for (var i = 0; i < 23; i++)
        {
            await UpsertAsync($$"""{"id":"d{{i:D2}}","pk":"{{_partition}}","n":{{i % 5}}}""");
        }

        var ids = await AllIdsAsync(Request(pageSize: 5, orderBy: new OrderBy { Path = "/n" }));
        Assert.Equal(23, ids.Count);
        Assert.Equal(23, ids.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 23).Select(i => $"d{i:D2}").OrderBy(id => int.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture) % 5).ThenBy(id => id, StringComparer.Ordinal), ids);
    }

    [Fact]
    public async Task Pages_without_an_order_cover_every_document_once()
    {
        for (var i = 0; i < 12; i++)
        {
            await UpsertAsync($$"""{"id":"u{{i:D2}}","pk":"{{_partition}}"}""");
        }

        var ids = await AllIdsAsync(Request(pageSize: 5));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"u{i:D2}"), ids.Order(StringComparer.Ordinal));
    }

    [Fact]
    public virtual async Task Paging_while_others_write_never_repeats_or_skips_an_unchanged_document()
    {
        for (var i = 0; i < 40; i++)
        {
            await UpsertAsync($$"""{"id":"keep{{i:D2}}","pk":"{{_partition}}","rank":{{i}}}""");
            await UpsertAsync($$"""{"id":"move{{i:D2}}","pk":"{{_partition}}","rank":{{i}}}""");
        }

        var request = Request(pageSize: 7, orderBy: new OrderBy { Path = "/rank" });
        var seen = new List<string>();
        var round = 0;
        while (true)
        {
            var page = await _client.QueryAsync(request);
            seen.AddRange(page.Documents.Select(d => d.Id));

            // Between pages: the "move" documents jump across the order, and new documents arrive.
            round++;
            for (var i = 0; i < 40; i += 3)
            {
                await UpsertAsync($$"""{"id":"move{{i:D2}}","pk":"{{_partition}}","rank":{{(round % 2 == 0 ? -i : 100 + i)}}}""");
            }

            await UpsertAsync($$"""{"id":"new{{round:D2}}","pk":"{{_partition}}","rank":{{round * 3}}}""");
            if (page.NextPageToken.Length == 0)
            {
                break;
            }

            request = request.Clone();
            request.PageToken = page.NextPageToken;
        }

        var kept = seen.Where(id => id.StartsWith("keep", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"keep{i:D2}"), kept);
    }

    [Fact]
    public async Task A_garbage_page_token_is_invalid()
    {
        var request = Request();
        request.PageToken = "not-a-token";
        await RpcAssert.InvalidAsync(() => _client.QueryAsync(request).ResponseAsync, "page_token");
        request.PageToken = "q1.AAAA";
        await RpcAssert.InvalidAsync(() => _client.QueryAsync(request).ResponseAsync, "page_token");
    }

    [Fact]
    public async Task A_page_token_works_only_for_its_own_query()
    {
        for (var i = 0; i < 3; i++)
        {
            await UpsertAsync($$"""{"id":"t{{i}}","pk":"{{_partition}}","n":{{i}}}""");
        }

        var first = await _client.QueryAsync(Request(ProtoFilters.Field("/n", Operator.GreaterThanOrEqual, "0"), pageSize: 1));
        Assert.NotEmpty(first.NextPageToken);

        var changedFilter = Request(ProtoFilters.Field("/n", Operator.GreaterThanOrEqual, "1"), pageSize: 1);
        changedFilter.PageToken = first.NextPageToken;
        await RpcAssert.InvalidAsync(() => _client.QueryAsync(changedFilter).ResponseAsync, "page_token");

        var otherCollection = new QueryRequest { Collection = "orders", PartitionKey = _partition, Filter = ProtoFilters.Field("/n", Operator.GreaterThanOrEqual, "0"), PageSize = 1, PageToken = first.NextPageToken };
        await RpcAssert.InvalidAsync(() => _client.QueryAsync(otherCollection).ResponseAsync, "page_token");

        var otherPartition = Request(ProtoFilters.Field("/n", Operator.GreaterThanOrEqual, "0"), pageSize: 1);
        otherPartition.PartitionKey += "x";
        otherPartition.PageToken = first.NextPageToken;
        await RpcAssert.InvalidAsync(() => _client.QueryAsync(otherPartition).ResponseAsync, "page_token");

        var same = Request(ProtoFilters.Field("/n", Operator.GreaterThanOrEqual, "0"), pageSize: 1);
        same.PageToken = first.NextPageToken;
        same.SessionToken = first.Info.SessionToken;
        Assert.Single((await _client.QueryAsync(same)).Documents);
    }

    [Fact]
    public async Task Cross_partition_queries_need_the_collections_permission()
    {
        await RpcAssert.InvalidAsync(() => _client.QueryAsync(new QueryRequest { Collection = "items", CrossPartition = true }).ResponseAsync, "cross_partition");
        await RpcAssert.InvalidAsync(() => _client.QueryAsync(new QueryRequest { Collection = "orders", CrossPartition = true, PartitionKey = "x" }).ResponseAsync, "partition_key");
        await RpcAssert.InvalidAsync(() => _client.QueryAsync(new QueryRequest { Collection = "items" }).ResponseAsync, "partition_key");
    }

    [Fact]
    public virtual async Task A_cross_partition_query_finds_documents_in_every_partition()
    {
        var tag = Guid.NewGuid().ToString("N");
        await UpsertAsync($$"""{"id":"o1","customer":{"id":"{{_partition}}-a"},"tag":"{{tag}}"}""", "orders");
        await UpsertAsync($$"""{"id":"o2","customer":{"id":"{{_partition}}-b"},"tag":"{{tag}}"}""", "orders");
        await UpsertAsync($$"""{"id":"o3","customer":{"id":"{{_partition}}-b"},"tag":"other"}""", "orders");

        var page = await _client.QueryAsync(new QueryRequest { Collection = "orders", CrossPartition = true, Filter = ProtoFilters.Field("/tag", Operator.Equal, $"\"{tag}\"") });

        Assert.Equal(["o1", "o2"], page.Documents.Select(d => d.Id).Order(StringComparer.Ordinal));
        Assert.Equal([$"{_partition}-a", $"{_partition}-b"], page.Documents.Select(d => d.PartitionKey).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Injection_through_a_path_or_a_value_finds_nothing_it_should_not()
    {
        const string hostile = "x\"] OR true OR c[\"y' OR 1=1 --";
        await UpsertAsync($$"""{"id":"plain","pk":"{{_partition}}","a":1}""");
        var holder = new JsonObject { ["id"] = "holder", ["pk"] = _partition, [hostile] = hostile };
        await UpsertAsync(holder.ToJsonString());

        var byPath = await AllIdsAsync(Request(ProtoFilters.Field("/" + hostile, Operator.Exists)));
        var byValue = await AllIdsAsync(Request(ProtoFilters.Field("/a", Operator.Equal, System.Text.Json.JsonSerializer.Serialize(hostile))));
        var byBoth = await AllIdsAsync(Request(ProtoFilters.Field("/" + hostile, Operator.Equal, System.Text.Json.JsonSerializer.Serialize(hostile))));

        Assert.Equal(["holder"], byPath);
        Assert.Empty(byValue);
        Assert.Equal(["holder"], byBoth);
    }

    [Fact]
    public async Task Conditional_patch_applies_when_the_document_matches()
    {
        await UpsertAsync($$"""{"id":"c1","pk":"{{_partition}}","status":"open","n":1}""");

        var patched = await _client.PatchAsync(PatchRequest("c1", ProtoFilters.Field("/status", Operator.Equal, "\"open\"")));

        Assert.Equal(2, patched.Document.Body.Fields["n"].NumberValue);
    }

    [Fact]
    public async Task Conditional_patch_that_does_not_match_changes_nothing()
    {
        var written = await UpsertAsync($$"""{"id":"c2","pk":"{{_partition}}","status":"closed","n":1}""");

        var status = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "CONDITION_NOT_MET",
            () => _client.PatchAsync(PatchRequest("c2", ProtoFilters.Field("/status", Operator.Equal, "\"open\""))).ResponseAsync);
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "CONDITION_NOT_MET",
            () => _client.PatchAsync(PatchRequest("c2", new Filter { Not = ProtoFilters.Field("/missing", Operator.Equal, "1") })).ResponseAsync);

        Assert.DoesNotContain("closed", status.Message, StringComparison.Ordinal);
        var read = await _client.GetAsync(new GetRequest { Collection = "items", Id = "c2", PartitionKey = _partition });
        Assert.Equal(written.Document.Etag, read.Document.Etag);
        Assert.Equal(1, read.Document.Body.Fields["n"].NumberValue);
    }

    [Fact]
    public virtual async Task An_etag_mismatch_is_told_apart_from_an_unmet_condition()
    {
        var written = await UpsertAsync($$"""{"id":"c3","pk":"{{_partition}}","status":"open","n":1}""");
        await UpsertAsync($$"""{"id":"c3","pk":"{{_partition}}","status":"open","n":5}""");

        var stale = PatchRequest("c3", ProtoFilters.Field("/status", Operator.Equal, "\"open\""));
        stale.IfMatch = written.Document.Etag;
        await RpcAssert.FailsAsync(StatusCode.Aborted, "ETAG_MISMATCH", () => _client.PatchAsync(stale).ResponseAsync);

        var current = (await _client.GetAsync(new GetRequest { Collection = "items", Id = "c3", PartitionKey = _partition })).Document.Etag;
        var unmet = PatchRequest("c3", ProtoFilters.Field("/status", Operator.Equal, "\"closed\""));
        unmet.IfMatch = current;
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "CONDITION_NOT_MET", () => _client.PatchAsync(unmet).ResponseAsync);
    }

    private PatchRequest PatchRequest(string id, Filter condition) => new()
    {
        Collection = "items",
        Id = id,
        PartitionKey = _partition,
        Operations = { new PatchOperation { Increment = new IncrementOperation { Path = "/n", By = 1 } } },
        Condition = condition,
    };
}

/// <summary>The contract's Query cases on the embedded store.</summary>
public sealed class EmbeddedQueryTests(InProcessServer server) : QueryTests(server), IClassFixture<InProcessServer>;
