extern alias server;

using System.Reflection;
using DocStore.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using server::DocStore.Server;
using server::DocStore.Server.Api;
using server::DocStore.Server.Consistency;
using server::DocStore.Server.Storage;

namespace DocStore.Server.Tests.Consistency;

/// <summary>
/// Every member of the store port, found by reflection, handles session tokens through the
/// decorator: each write advances the shared token of the partition it wrote (in Redis, seen by
/// another pod) and a failed one advances nothing; each read hands the inner store the merged token.
/// A member without a <see cref="StoreOperationAttribute"/> fails the first test.
/// </summary>
public sealed class SessionConsistentStoreContractTests : IAsyncLifetime
{
    private static readonly CollectionDefinition Items = new("items", "items", JsonPointer.Parse("/pk"));

    private ResolverPods _pods = null!;

    public static TheoryData<string> Reads => Members(StoreOperationKind.Read);

    public static TheoryData<string> Writes => Members(StoreOperationKind.Write);

    public async Task InitializeAsync() => _pods = await ResolverPods.StartAsync();

    public async Task DisposeAsync() => await _pods.DisposeAsync();

    [Fact]
    public void Every_store_member_is_classified_and_reads_and_writes_have_the_shape_the_decorator_needs()
    {
        var members = typeof(IDocumentStore).GetMethods();
        Assert.NotEmpty(members);
        foreach (var method in members)
        {
            var kind = method.GetCustomAttribute<StoreOperationAttribute>()?.Kind;
            Assert.True(kind is not null, $"IDocumentStore.{method.Name} has no [StoreOperation]: say whether it reads, writes or touches no document, and handle it in SessionConsistentStore.");
            var parameters = method.GetParameters();
            switch (kind)
            {
                case StoreOperationKind.Read:
                    Assert.Contains(parameters, p => p.ParameterType == typeof(DocumentKey) || p.ParameterType == typeof(IReadOnlyList<DocumentKey>) || (p.ParameterType == typeof(string) && p.Name == "partitionKey"));
                    Assert.Contains(parameters, p => p.ParameterType == typeof(string) && p.Name == "sessionToken");
                    break;
                case StoreOperationKind.Write:
                    Assert.Contains(parameters, p => p.ParameterType == typeof(DocumentKey) || (p.ParameterType == typeof(string) && p.Name == "partitionKey"));
                    Assert.True(method.ReturnType.IsGenericType && method.ReturnType.GetGenericTypeDefinition() == typeof(Task<>)
                        && typeof(IStoreOutcome).IsAssignableFrom(method.ReturnType.GetGenericArguments()[0]), $"IDocumentStore.{method.Name} must return a Task of an IStoreOutcome");
                    break;
            }
        }

        Assert.NotEmpty(Reads);
        Assert.NotEmpty(Writes);
    }

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task A_successful_write_advances_the_token_of_its_partition_for_every_pod_before_it_returns(string name)
    {
        var inner = new RecordingStore();
        var (podA, _) = Pod(inner);
        var innerB = new RecordingStore();
        var (podB, tokensB) = Pod(innerB);
        var scope = podA.TokenScope(Items);

        var result = await InvokeAsync(podA, name, partitionKey: "written", sessionToken: null);

        Assert.Equal("0:-1#41", Assert.IsAssignableFrom<IStoreOutcome>(result).SessionToken);
        Assert.Equal(name, Assert.Single(inner.Calls).Method);
        Assert.Equal("0:-1#41", await tokensB.ForReadAsync(scope, "written", null, CancellationToken.None));
        Assert.Null(await tokensB.ForReadAsync(scope, "another", null, CancellationToken.None));

        // And a read on the other pod reaches its store with that token.
        await podB.ReadAsync(Items, new DocumentKey("x", "written"), null, CancellationToken.None);
        Assert.Equal("0:-1#41", Assert.Single(innerB.Calls).SessionToken);
    }

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task A_failed_write_advances_nothing(string name)
    {
        var (pod, tokens) = Pod(new RecordingStore { FailWrites = true });

        var result = await InvokeAsync(pod, name, partitionKey: "written", sessionToken: null);

        Assert.Equal(StoreStatus.PreconditionFailed, Assert.IsAssignableFrom<IStoreOutcome>(result).Status);
        Assert.Null(await tokens.ForReadAsync(pod.TokenScope(Items), "written", null, CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task A_read_hands_the_inner_store_the_callers_token_merged_with_the_shared_one(string name)
    {
        var inner = new RecordingStore();
        var (pod, _) = Pod(inner);
        var (_, otherPodTokens) = Pod(new RecordingStore());
        await otherPodTokens.AdvanceAsync(pod.TokenScope(Items), "read", "0:-1#5,1:-1#2");

        await InvokeAsync(pod, name, partitionKey: "read", sessionToken: "0:-1#9");
        await InvokeAsync(pod, name, partitionKey: "unwritten", sessionToken: null);

        // The second partition has no shared token: its read carries the pod's session, which holds what the first
        // read returned (this store answers a read of many at the token it was given, and the other reads with none).
        var session = name == "ReadManyAsync" ? "0:-1#9,1:-1#2" : null;
        Assert.Equal(
            [(name, "read", "0:-1#9,1:-1#2"), (name, "unwritten", session)],
            inner.Calls.Select(c => (c.Method, c.PartitionKey, c.SessionToken)).ToArray());
    }

    [Theory]
    [InlineData("QueryAsync")]
    [InlineData("ReadChangesAsync")]
    public async Task A_read_across_partitions_takes_the_callers_token_alone(string name)
    {
        var inner = new RecordingStore();
        var (pod, _) = Pod(inner);
        var (_, otherPodTokens) = Pod(new RecordingStore());
        await otherPodTokens.AdvanceAsync(pod.TokenScope(Items), "read", "0:-1#5,1:-1#2");

        await InvokeAsync(pod, name, partitionKey: null, sessionToken: "0:-1#9");

        Assert.Equal((name, null, "0:-1#9"), Assert.Single(inner.Calls));
    }

    [Fact]
    public async Task A_read_of_many_documents_gets_a_token_covering_the_shared_tokens_of_every_partition_it_touches()
    {
        var inner = new RecordingStore();
        var (pod, _) = Pod(inner);
        var (_, otherPodTokens) = Pod(new RecordingStore());
        var scope = pod.TokenScope(Items);
        await otherPodTokens.AdvanceAsync(scope, "alice", "0:-1#5,1:-1#2");
        await otherPodTokens.AdvanceAsync(scope, "bob", "0:-1#3,1:-1#8,2:-1#1");
        await otherPodTokens.AdvanceAsync(scope, "carol", "0:-1#99"); // not read

        await pod.ReadManyAsync(Items, [new DocumentKey("a", "alice"), new DocumentKey("b", "bob"), new DocumentKey("a2", "alice")], "0:-1#4", CancellationToken.None);

        var (method, _, token) = Assert.Single(inner.Calls);
        Assert.Equal(nameof(IDocumentStore.ReadManyAsync), method);
        Assert.Equal("0:-1#5,1:-1#8,2:-1#1", token);
    }

    [Fact]
    public void The_service_receives_the_decorated_store_and_knows_nothing_of_session_tokens()
    {
        using var server = new InProcessServer();

        var store = server.Services.GetRequiredService<IDocumentStore>();

        Assert.IsType<server::DocStore.Server.Storage.Embedded.EmbeddedDocumentStore>(Assert.IsType<SessionConsistentStore>(store).Inner);
        var dependencies = typeof(DocumentsGrpcService).GetConstructors().Single().GetParameters().Select(p => p.ParameterType);
        Assert.DoesNotContain(typeof(SessionTokenResolver), dependencies);
        Assert.Contains(typeof(IDocumentStore), dependencies);
    }

    private static TheoryData<string> Members(StoreOperationKind kind)
    {
        var data = new TheoryData<string>();
        foreach (var method in typeof(IDocumentStore).GetMethods().Where(m => m.GetCustomAttribute<StoreOperationAttribute>()?.Kind == kind))
        {
            data.Add(method.Name);
        }

        return data;
    }

    /// <summary>Calls a store member by name with arguments made from their types: the collection, the key, the session token, and defaults for the rest.</summary>
    private static async Task<object?> InvokeAsync(IDocumentStore store, string name, string? partitionKey, string? sessionToken)
    {
        var method = typeof(IDocumentStore).GetMethod(name)!;
        var arguments = method.GetParameters().Select(p => p switch
        {
            _ when p.ParameterType == typeof(CollectionDefinition) => Items,
            _ when p.ParameterType == typeof(DocumentKey) => new DocumentKey("doc", partitionKey ?? ""),
            _ when p.ParameterType == typeof(IReadOnlyList<DocumentKey>) => new[] { new DocumentKey("doc", partitionKey ?? "") },
            _ when p.ParameterType == typeof(string) && p.Name == "partitionKey" => partitionKey,
            _ when p.ParameterType == typeof(IReadOnlyList<BatchStep>) => new[] { new BatchStep(BatchStepKind.Delete, new DocumentKey("doc", partitionKey ?? "")) },
            _ when p.ParameterType == typeof(string) && p.Name == "sessionToken" => sessionToken,
            _ when p.ParameterType == typeof(CancellationToken) => CancellationToken.None,
            _ when p.ParameterType.IsValueType => Activator.CreateInstance(p.ParameterType),
            _ => null,
        }).ToArray();
        var task = (Task)method.Invoke(store, arguments)!;
        await task;
        return task.GetType().GetProperty("Result")?.GetValue(task);
    }

    /// <summary>A pod sharing tokens through the fixture's redis-server, its store decorating <paramref name="inner"/>.</summary>
    private (SessionConsistentStore Store, SessionTokenResolver Tokens) Pod(IDocumentStore inner)
    {
        var tokens = _pods.Pod(TokenSharing.Redis);
        return (new SessionConsistentStore(inner, tokens), tokens);
    }

    /// <summary>
    /// A store that records what reached it. It implements every member of the port, so a new member
    /// must be added here, where its read or write is recorded.
    /// </summary>
    private sealed class RecordingStore : IDocumentStore
    {
        public List<(string Method, string? PartitionKey, string? SessionToken)> Calls { get; } = [];

        public bool FailWrites { get; init; }

        public string TokenScope(CollectionDefinition collection) => "recording/" + collection.Container;

        public Task<StoreResult> ReadAsync(CollectionDefinition collection, DocumentKey key, string? sessionToken, CancellationToken cancellationToken)
        {
            Calls.Add((nameof(ReadAsync), key.PartitionKey, sessionToken));
            return Task.FromResult(StoreResult.NotFound);
        }

        public Task<StoreResult> UpsertAsync(CollectionDefinition collection, DocumentKey key, ReadOnlyMemory<byte> body, string? ifMatch, CancellationToken cancellationToken) =>
            Written(nameof(UpsertAsync), key);

        public Task<StoreResult> PatchAsync(CollectionDefinition collection, DocumentKey key, IReadOnlyList<DocumentPatchOperation> operations, string? ifMatch, server::DocStore.Server.Storage.Query.DocumentFilter? condition, CancellationToken cancellationToken) =>
            Written(nameof(PatchAsync), key);

        public Task<StorePage> QueryAsync(CollectionDefinition collection, string? partitionKey, server::DocStore.Server.Storage.Query.DocumentQuery query, int pageSize, string? continuation, string? sessionToken, CancellationToken cancellationToken)
        {
            Calls.Add((nameof(QueryAsync), partitionKey, sessionToken));
            return Task.FromResult(StorePage.Success([], null, null, 1));
        }

        public Task<StorePage> ReadChangesAsync(CollectionDefinition collection, string? partitionKey, ChangeFeedStart start, int maxItems, string? sessionToken, CancellationToken cancellationToken)
        {
            Calls.Add((nameof(ReadChangesAsync), partitionKey, sessionToken));
            return Task.FromResult(StorePage.Success([], "c", null, 1));
        }

        public Task WaitForChangesAsync(CollectionDefinition collection, TimeSpan timeout, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<StoreResult> CreateAsync(CollectionDefinition collection, DocumentKey key, ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
            Written(nameof(CreateAsync), key);

        public Task<StoreResult> ReplaceAsync(CollectionDefinition collection, DocumentKey key, ReadOnlyMemory<byte> body, string? ifMatch, CancellationToken cancellationToken) =>
            Written(nameof(ReplaceAsync), key);

        public Task<StoreResult> DeleteAsync(CollectionDefinition collection, DocumentKey key, string? ifMatch, CancellationToken cancellationToken)
        {
            Calls.Add((nameof(DeleteAsync), key.PartitionKey, null));
            return Task.FromResult(FailWrites ? StoreResult.PreconditionFailed : StoreResult.Deleted("0:-1#41", 1));
        }

        public Task<ReadManyStoreResult> ReadManyAsync(CollectionDefinition collection, IReadOnlyList<DocumentKey> keys, string? sessionToken, CancellationToken cancellationToken)
        {
            Calls.Add((nameof(ReadManyAsync), keys[0].PartitionKey, sessionToken));
            return Task.FromResult(ReadManyStoreResult.Success(new StoredDocument?[keys.Count], sessionToken, 1));
        }

        public async Task<BatchStoreResult> ExecuteBatchAsync(CollectionDefinition collection, string partitionKey, IReadOnlyList<BatchStep> operations, CancellationToken cancellationToken)
        {
            var result = await Written(nameof(ExecuteBatchAsync), new DocumentKey("doc", partitionKey));
            return FailWrites ? BatchStoreResult.OperationFailed(0, result) : BatchStoreResult.Success([result], result.SessionToken!, 1);
        }

        public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => Task.FromResult(true);

        private Task<StoreResult> Written(string method, DocumentKey key)
        {
            Calls.Add((method, key.PartitionKey, null));
            return Task.FromResult(FailWrites
                ? StoreResult.PreconditionFailed
                : StoreResult.Success(new StoredDocument("{}"u8.ToArray(), "\"e\"", DateTimeOffset.UnixEpoch, "0:-1#41", 1)));
        }
    }
}
