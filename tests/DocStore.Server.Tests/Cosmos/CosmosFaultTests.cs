extern alias server;

using System.Net;
using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Azure.Cosmos;
using PatchOperation = DocStore.V1.PatchOperation;
using Microsoft.Extensions.DependencyInjection;

namespace DocStore.Server.Tests.Cosmos;

/// <summary>
/// What the peer cannot show, through the real SDK and the real gRPC stack: the SDK's transport goes
/// through <see cref="FaultInjectingHandler"/>, which records requests and answers some of them with the
/// statuses and headers Cosmos DB sends.
/// </summary>
[Collection(CosmosPeerGroup.Name)]
public sealed class CosmosFaultTests : IDisposable
{
    private readonly CosmosPeerFixture _peer;
    private readonly FaultInjectingHandler _faults;
    private readonly DocStoreService.DocStoreServiceClient _client;

    public CosmosFaultTests(CosmosPeerFixture peer)
    {
        _peer = peer;
        _client = peer.FaultServer.Client;
        _faults = peer.Faults;
        _faults.Reset();
    }

    public void Dispose() => _faults.Reset();

    private static string NewId() => "fault-" + Guid.NewGuid().ToString("N");

    private async Task<string> SeedAsync()
    {
        var id = NewId();
        await _client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct($$"""{"id":"{{id}}","pk":"p","n":1}""") });
        _faults.Requests.Clear();
        return id;
    }

    private Task<GetResponse> GetAsync(string id, string sessionToken = "") =>
        _client.GetAsync(new GetRequest { Collection = "items", Id = id, PartitionKey = "p", SessionToken = sessionToken }).ResponseAsync;

    private Task<PatchResponse> PatchAsync(string id) =>
        _client.PatchAsync(new PatchRequest
        {
            Collection = "items",
            Id = id,
            PartitionKey = "p",
            Operations = { new PatchOperation { Increment = new IncrementOperation { Path = "/n", By = 1 } } },
        }).ResponseAsync;

    [Fact]
    public async Task A_Get_passes_the_callers_session_token_to_Cosmos()
    {
        // A pod of its own: the token it is given is far beyond the peer's, and joins the pod's session. Its
        // read is answered here, so the peer never refuses it.
        using var faults = new FaultInjectingHandler();
        using var pod = InProcessServer.WithSettings(_peer.Peer.ServerSettings(_peer.Database + "-token"), services => services.PostConfigure<CosmosClientOptions>(options =>
        {
            options.ServerCertificateCustomValidationCallback = null;
            options.HttpClientFactory = () => new HttpClient(faults, disposeHandler: false);
        }));
        faults.Fault = request => request.Method == HttpMethod.Get ? FaultInjectingHandler.Error(HttpStatusCode.NotFound, "absent") : null;
        await RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () =>
            pod.Client.GetAsync(new GetRequest { Collection = "items", Id = NewId(), PartitionKey = "p", SessionToken = "0:-1#100012" }).ResponseAsync);

        var read = Assert.Single(faults.Requests, r => r.Method == HttpMethod.Get);
        Assert.True(read.Headers.TryGetValue("x-ms-session-token", out var sent), "The read carried no x-ms-session-token header.");
        Assert.Contains("0:-1#100012", sent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_return_the_session_token_Cosmos_sent()
    {
        // The peer's own tokens, as its answers carried them.
        var sent = new System.Collections.Concurrent.ConcurrentDictionary<HttpMethod, string>();
        _faults.Amend = (request, response) => sent[request.Method] = string.Join(",", response.Headers.GetValues("x-ms-session-token"));
        var id = NewId();

        var upserted = await _client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct($$"""{"id":"{{id}}","pk":"p","n":1}""") });
        var patched = await PatchAsync(id);

        Assert.Equal(sent[HttpMethod.Post], upserted.Info.SessionToken);
        Assert.Equal(sent[HttpMethod.Patch], patched.Info.SessionToken);
        Assert.NotEqual(upserted.Info.SessionToken, patched.Info.SessionToken);
    }

    [Fact]
    public async Task A_404_is_document_not_found()
    {
        _faults.Fault = request => FaultInjectingHandler.Error(HttpStatusCode.NotFound, "Entity with the specified id does not exist in the system.");
        await RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () => GetAsync(NewId()));
    }

    [Fact]
    public async Task A_404_for_a_missing_container_is_unavailable_not_document_not_found()
    {
        _faults.Fault = request => FaultInjectingHandler.Error(HttpStatusCode.NotFound, "Owner resource does not exist", subStatus: 1003);
        var status = await RpcAssert.FailsAsync(StatusCode.Unavailable, "STORE_UNAVAILABLE", () => GetAsync(NewId()));
        Assert.Contains("container", status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throttling_after_the_SDKs_retries_is_resource_exhausted_with_Cosmos_retry_delay()
    {
        _faults.Fault = request => FaultInjectingHandler.Error(HttpStatusCode.TooManyRequests, "Request rate is large.", subStatus: 3200, retryAfterMs: "40");

        var status = await RpcAssert.FailsAsync(StatusCode.ResourceExhausted, "THROTTLED", () => GetAsync(NewId()));

        Assert.Equal(TimeSpan.FromMilliseconds(40), status.GetDetail<RetryInfo>().RetryDelay.ToTimeSpan());
        Assert.True(_faults.Requests.Count > 1, $"The SDK retried the throttled read {_faults.Requests.Count - 1} times before giving up.");
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    public async Task Refused_credentials_are_unavailable_without_secrets(HttpStatusCode code)
    {
        _faults.Fault = request => FaultInjectingHandler.Error(code, "The input authorization token can't serve the request.");

        var status = await RpcAssert.FailsAsync(StatusCode.Unavailable, "STORE_UNAVAILABLE", () => GetAsync(NewId()));

        Assert.Contains("credentials", status.Message, StringComparison.Ordinal);
        Assert.Contains(((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture), status.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(CosmosPeer.Key, status.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("authorization token", status.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public async Task Timeouts_and_outages_are_unavailable(HttpStatusCode code)
    {
        _faults.Fault = request => FaultInjectingHandler.Error(code, "The service is unavailable.");
        await RpcAssert.FailsAsync(StatusCode.Unavailable, "STORE_UNAVAILABLE", () => GetAsync(NewId()));
    }

    [Fact]
    public async Task An_unreachable_Cosmos_is_unavailable_and_not_ready_and_ready_again_when_it_is_back()
    {
        var id = await SeedAsync();
        var health = new Grpc.Health.V1.Health.HealthClient(_peer.FaultServer.Channel);
        _faults.Unreachable = true;

        await RpcAssert.FailsAsync(StatusCode.Unavailable, "STORE_UNAVAILABLE", () => GetAsync(id));
        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest())).Status);

        _faults.Unreachable = false;
        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest())).Status);
        Assert.Equal(id, (await GetAsync(id)).Document.Id);
    }

    [Fact]
    public async Task A_patch_Cosmos_refuses_is_not_applicable_with_Cosmos_reason()
    {
        var id = await SeedAsync();
        _faults.Fault = request => request.Method == HttpMethod.Patch
            ? FaultInjectingHandler.Error(HttpStatusCode.BadRequest, "Message: {\"Errors\":[\"For Operation(0): Add Operation can only create a child object of an existing node(array or object) and can't create path recursively. Learn more: https:\\/\\/aka.ms\\/cosmosdbpatchdocs\"]}\r\nActivityId: 6b5c1d2e-0000-0000-0000-000000000000, Request URI: /apps/x/services/y/partitions/z/replicas/1p/, RequestStats: , SDK: Microsoft.Azure.Documents.Common/2.14.0")
            : null;

        var status = await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "PATCH_NOT_APPLICABLE", () => PatchAsync(id));

        Assert.Contains("operation 0: Add Operation can only create a child object", status.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ActivityId", status.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("aka.ms", status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_patch_that_would_exceed_2_MB_is_an_invalid_argument()
    {
        var id = await SeedAsync();
        _faults.Fault = request => request.Method == HttpMethod.Patch
            ? FaultInjectingHandler.Error(HttpStatusCode.RequestEntityTooLarge, "Request size is too large")
            : null;

        var status = await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () => PatchAsync(id));
        Assert.Contains("2 MB", status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_callers_deadline_cancels_the_Cosmos_call()
    {
        var id = await SeedAsync();
        _faults.Delay = TimeSpan.FromSeconds(30);

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            _client.GetAsync(new GetRequest { Collection = "items", Id = id, PartitionKey = "p" }, deadline: DateTime.UtcNow.AddMilliseconds(500)).ResponseAsync);

        // In process (TestServer) the server's end of the call can beat the client's own timer: the call then
        // ends as CANCELLED (the interceptor's answer for a fired token) or as the TestServer's rendering of
        // the server resetting the stream. Any of them ends the call at the deadline, not after 30 seconds.
        Assert.True(
            e.StatusCode is StatusCode.DeadlineExceeded or StatusCode.Cancelled
                || (e.StatusCode == StatusCode.Internal && e.Status.Detail.Contains("reset", StringComparison.OrdinalIgnoreCase)),
            $"Got {e.StatusCode}: {e.Status.Detail}");
        var cancelled = await Task.WhenAny(_faults.Cancelled.Task, Task.Delay(TimeSpan.FromSeconds(20)));
        Assert.True(cancelled == _faults.Cancelled.Task, "The Cosmos request went on after the caller's deadline passed.");
    }

    [Fact]
    public async Task The_token_scope_names_the_database_container_and_its_resource_id()
    {
        await SeedAsync();
        var store = (server::DocStore.Server.Storage.IStoreIdentity)_peer.FaultServer.Services.GetService(typeof(server::DocStore.Server.Storage.IStoreIdentity))!;
        var registry = (server::DocStore.Server.Storage.CollectionRegistry)_peer.FaultServer.Services.GetService(typeof(server::DocStore.Server.Storage.CollectionRegistry))!;
        Assert.True(registry.TryGet("items", out var items));

        var scope = store.TokenScope(items);

        Assert.Matches($"^cosmos/{_peer.Database}-faults/items/.+$", scope);
    }

    [Fact]
    public async Task Create_of_an_existing_document_is_already_exists()
    {
        _faults.Fault = request => FaultInjectingHandler.Error(HttpStatusCode.Conflict, "Entity with the specified id already exists in the system.");
        await RpcAssert.FailsAsync(StatusCode.AlreadyExists, "DOCUMENT_EXISTS", () =>
            _client.CreateAsync(new CreateRequest { Collection = "items", Document = Json.Struct($$"""{"id":"{{NewId()}}","pk":"p"}""") }).ResponseAsync);
    }

    [Fact]
    public async Task Replace_and_delete_of_an_absent_document_are_not_found_and_a_stale_etag_is_aborted()
    {
        _faults.Fault = request => FaultInjectingHandler.Error(HttpStatusCode.NotFound, "Entity with the specified id does not exist in the system.");
        await RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () =>
            _client.ReplaceAsync(new ReplaceRequest { Collection = "items", Document = Json.Struct($$"""{"id":"{{NewId()}}","pk":"p"}""") }).ResponseAsync);
        await RpcAssert.FailsAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () =>
            _client.DeleteAsync(new DeleteRequest { Collection = "items", Id = NewId(), PartitionKey = "p" }).ResponseAsync);

        _faults.Fault = request => FaultInjectingHandler.Error(HttpStatusCode.PreconditionFailed, "One of the specified pre-condition is not met.");
        await RpcAssert.FailsAsync(StatusCode.Aborted, "ETAG_MISMATCH", () =>
            _client.DeleteAsync(new DeleteRequest { Collection = "items", Id = NewId(), PartitionKey = "p", IfMatch = "\"e\"" }).ResponseAsync);
        var conditional = _faults.Requests.Last();
        Assert.Equal(HttpMethod.Delete, conditional.Method);
        Assert.Equal("\"e\"", conditional.Headers["If-Match"]);
    }

    [Fact]
    public async Task A_delete_returns_the_session_token_Cosmos_sent()
    {
        var id = await SeedAsync();
        string? sent = null;
        _faults.Amend = (request, response) => sent = string.Join(",", response.Headers.GetValues("x-ms-session-token"));

        var deleted = await _client.DeleteAsync(new DeleteRequest { Collection = "items", Id = id, PartitionKey = "p" });

        Assert.Equal(sent, deleted.Info.SessionToken);
        Assert.Single(_faults.Requests, r => r.Method == HttpMethod.Delete && r.Path.EndsWith("/docs/" + id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_batch_is_sent_as_one_atomic_batch_request_for_its_partition_and_a_throttled_one_is_resource_exhausted()
    {
        _faults.Fault = request => FaultInjectingHandler.Error(HttpStatusCode.TooManyRequests, "Request rate is large.", subStatus: 3200, retryAfterMs: "40");

        var status = await RpcAssert.FailsAsync(StatusCode.ResourceExhausted, "THROTTLED", () => _client.ExecuteBatchAsync(new ExecuteBatchRequest
        {
            Collection = "items",
            PartitionKey = "p",
            Operations =
            {
                new BatchOperation { Create = new BatchWrite { Document = Json.Struct($$"""{"id":"{{NewId()}}","pk":"p"}""") } },
                new BatchOperation { Delete = new BatchKey { Id = NewId() } },
            },
        }).ResponseAsync);

        Assert.Null(status.GetDetail<ErrorInfo>().Metadata.GetValueOrDefault("operation_index"));
        var sent = _faults.Requests.First(r => r.Method == HttpMethod.Post);
        Assert.Equal("True", sent.Headers["x-ms-cosmos-is-batch-request"], ignoreCase: true);
        Assert.Equal("True", sent.Headers["x-ms-cosmos-batch-atomic"], ignoreCase: true);
        Assert.Equal("[\"p\"]", sent.Headers["x-ms-documentdb-partitionkey"]);
        Assert.All(_faults.Requests, r => Assert.Equal(HttpMethod.Post, r.Method)); // one request (and the SDK's retries of it), no point calls
    }

    [Fact]
    public async Task A_conditional_batch_patch_carries_its_filter_predicate_in_the_batch_request()
    {
        _faults.Fault = request => FaultInjectingHandler.Error(HttpStatusCode.TooManyRequests, "Request rate is large.", subStatus: 3200, retryAfterMs: "40");

        await RpcAssert.FailsAsync(StatusCode.ResourceExhausted, "THROTTLED", () => _client.ExecuteBatchAsync(new ExecuteBatchRequest
        {
            Collection = "items",
            PartitionKey = "p",
            Operations =
            {
                new BatchOperation
                {
                    Patch = new BatchPatch
                    {
                        Id = NewId(),
                        Operations = { new PatchOperation { Increment = new IncrementOperation { Path = "/n", By = 1 } } },
                        Condition = new Filter { Field = new FieldFilter { Path = "/status", Operator = FieldFilter.Types.Operator.Equal, Value = Json.Value("\"it's \\\"open\\\"\"") } },
                    },
                },
            },
        }).ResponseAsync);

        // The batch travels in Cosmos DB's binary batch format; a patch's resource body in it is JSON, so the predicate
        // (FROM c WHERE (c["status"] = "it\u0027s \u0022open\u0022"), values as escaped literals) is there JSON-encoded.
        Assert.Contains("\"condition\":\"" + """FROM c WHERE (c[\"status\"] = \"it\\u0027s \\u0022open\\u0022\")""" + "\"", _faults.Bodies.Last(), StringComparison.Ordinal);
    }
}
