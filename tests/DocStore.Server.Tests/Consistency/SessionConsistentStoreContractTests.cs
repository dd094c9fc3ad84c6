extern alias server;

using DocStore.Server.Tests.Infrastructure;
using DocStore.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using server::DocStore.Server;
using server::DocStore.Server.Api;
using server::DocStore.Server.Consistency;
using server::DocStore.Server.Storage;
using server::DocStore.Server.Storage.Commands;
using server::DocStore.Server.Storage.Query;

namespace DocStore.Server.Tests.Consistency;

/// <summary>
/// Every command of the store port, found from the command types themselves, handles session tokens through the
/// decorator by its kind: each write advances the shared token of the partition it wrote (in Redis, seen by another
/// pod) and a failed one advances nothing; each read hands the inner store the merged token. A command type that is
/// neither a read nor a write fails the first test.
/// </summary>
public sealed class SessionConsistentStoreContractTests : IAsyncLifetime
{
    private static readonly CollectionDefinition Items = new("items", "items", JsonPointer.Parse("/pk"));

    private static readonly StoreResult Written = StoreResult.Success(new StoredDocument("{}"u8.ToArray(), "\"e\"", DateTimeOffset.UnixEpoch, "0:-1#41", 1));

    private static readonly Type[] CommandTypes = [.. typeof(IDocumentStore).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && DerivesFrom(t, typeof(StoreCommand<>)))];

    private ResolverPods _pods = null!;

    public static TheoryData<string> Reads => Names(typeof(ReadCommand<>));

    public static TheoryData<string> Writes => Names(typeof(WriteCommand<>));

    public async Task InitializeAsync() => _pods = await ResolverPods.StartAsync();

    public async Task DisposeAsync() => await _pods.DisposeAsync();

    [Fact]
    public void Every_command_is_a_read_or_a_write_and_every_store_handles_it()
    {
        Assert.NotEmpty(CommandTypes);
        foreach (var type in CommandTypes)
        {
            var isRead = DerivesFrom(type, typeof(ReadCommand<>));
            var isWrite = DerivesFrom(type, typeof(WriteCommand<>));
            Assert.True(isRead ^ isWrite, $"{type.Name} must derive from ReadCommand<> or WriteCommand<>, so that the session decorator knows how tokens flow through it.");
            Assert.True(
                typeof(IStoreCommandHandler).GetMethod(nameof(IStoreCommandHandler.Handle), [type, typeof(CancellationToken)]) is not null,
                $"IStoreCommandHandler has no Handle({type.Name}): every store must implement every command.");
        }

        Assert.NotEmpty(Reads);
        Assert.NotEmpty(Writes);
    }

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task A_successful_write_advances_the_token_of_its_partition_for_every_pod_before_it_returns(string name)
    {
        var inner = new ScriptedStore(Written);
        var (podA, _) = Pod(inner);
        var innerB = new ScriptedStore(StoreResult.NotFound);
        var (podB, tokensB) = Pod(innerB);
        var scope = inner.TokenScope(Items);

        var result = await ExecuteAsync(podA, Command(name, partitionKey: "written", sessionToken: null));

        Assert.Equal("0:-1#41", result.SessionToken);
        Assert.Equal(name, Assert.Single(inner.Commands).GetType().Name);
        Assert.Equal("0:-1#41", await tokensB.ForReadAsync(scope, "written", null, CancellationToken.None));
        Assert.Null(await tokensB.ForReadAsync(scope, "another", null, CancellationToken.None));

        // And a read on the other pod reaches its store with that token.
        await podB.ExecuteAsync(new ReadDocument(Items, new DocumentKey("x", "written"), null), CancellationToken.None);
        Assert.Equal("0:-1#41", Assert.IsType<ReadDocument>(Assert.Single(innerB.Commands)).SessionToken);
    }

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task A_failed_write_advances_nothing(string name)
    {
        var inner = new ScriptedStore(StoreResult.PreconditionFailed);
        var (pod, tokens) = Pod(inner);

        var result = await ExecuteAsync(pod, Command(name, partitionKey: "written", sessionToken: null));

        Assert.Equal(StoreStatus.PreconditionFailed, result.Status);
        Assert.Null(await tokens.ForReadAsync(inner.TokenScope(Items), "written", null, CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task A_read_hands_the_inner_store_the_callers_token_merged_with_the_shared_one(string name)
    {
        // Every read of this store returns a document at 0:-1#7.
        var inner = new ScriptedStore(StoreResult.Success(new StoredDocument("{}"u8.ToArray(), "\"e\"", DateTimeOffset.UnixEpoch, "0:-1#7", 1)));
        var (pod, _) = Pod(inner);
        var (_, otherPodTokens) = Pod(new ScriptedStore(StoreResult.NotFound));
        await otherPodTokens.AdvanceAsync(inner.TokenScope(Items), "read", "0:-1#5,1:-1#2");

        await ExecuteAsync(pod, Command(name, partitionKey: "read", sessionToken: "0:-1#9"));
        await ExecuteAsync(pod, Command(name, partitionKey: "unwritten", sessionToken: null));

        // The second partition has no shared token: its read carries the pod's session, which holds what the first
        // read returned.
        Assert.Equal(
            [(name, "read", "0:-1#9,1:-1#2"), (name, "unwritten", "0:-1#7")],
            inner.Commands.Select(Seen).ToArray());
    }

    [Theory]
    [InlineData(nameof(QueryDocuments))]
    [InlineData(nameof(ReadChangeFeed))]
    public async Task A_read_across_partitions_takes_the_callers_token_alone(string name)
    {
        var inner = new ScriptedStore(StoreResult.NotFound);
        var (pod, _) = Pod(inner);
        var (_, otherPodTokens) = Pod(new ScriptedStore(StoreResult.NotFound));
        await otherPodTokens.AdvanceAsync(inner.TokenScope(Items), "read", "0:-1#5,1:-1#2");

        await ExecuteAsync(pod, Command(name, partitionKey: null, sessionToken: "0:-1#9"));

        Assert.Equal((name, null, "0:-1#9"), Seen(Assert.Single(inner.Commands)));
    }

    [Fact]
    public async Task A_read_of_many_documents_gets_a_token_covering_the_shared_tokens_of_every_partition_it_touches()
    {
        var inner = new ScriptedStore(StoreResult.NotFound);
        var (pod, _) = Pod(inner);
        var (_, otherPodTokens) = Pod(new ScriptedStore(StoreResult.NotFound));
        var scope = inner.TokenScope(Items);
        await otherPodTokens.AdvanceAsync(scope, "alice", "0:-1#5,1:-1#2");
        await otherPodTokens.AdvanceAsync(scope, "bob", "0:-1#3,1:-1#8,2:-1#1");
        await otherPodTokens.AdvanceAsync(scope, "carol", "0:-1#99"); // not read

        await pod.ExecuteAsync(new ReadDocuments(Items, [new DocumentKey("a", "alice"), new DocumentKey("b", "bob"), new DocumentKey("a2", "alice")], "0:-1#4"), CancellationToken.None);

        Assert.Equal("0:-1#5,1:-1#8,2:-1#1", Assert.IsType<ReadDocuments>(Assert.Single(inner.Commands)).SessionToken);
    }

    [Fact]
    public void The_service_receives_the_decorated_store_and_knows_nothing_of_session_tokens()
    {
        using var server = new InProcessServer();

        Assert.IsType<SessionConsistentStore>(server.Services.GetRequiredService<IDocumentStore>());
        Assert.IsType<server::DocStore.Server.Storage.Embedded.EmbeddedDocumentStore>(server.Services.GetRequiredService<IStoreIdentity>());
        Assert.IsType<server::DocStore.Server.Storage.Embedded.EmbeddedDocumentStore>(server.Services.GetRequiredService<IChangeSignal>());
        var dependencies = typeof(DocumentsGrpcService).GetConstructors().Single().GetParameters().Select(p => p.ParameterType);
        Assert.DoesNotContain(typeof(SessionTokenResolver), dependencies);
        Assert.Contains(typeof(IDocumentStore), dependencies);
    }

    private static bool DerivesFrom(Type type, Type openGeneric)
    {
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (current.IsGenericType && current.GetGenericTypeDefinition() == openGeneric)
            {
                return true;
            }
        }

        return false;
    }

    private static TheoryData<string> Names(Type kind)
    {
        var data = new TheoryData<string>();
        foreach (var type in CommandTypes.Where(t => DerivesFrom(t, kind)))
        {
            data.Add(type.Name);
        }

        return data;
    }

    /// <summary>A command of the type named, with arguments made from its parameters' types: the collection, the key, the session token, and small values for the rest.</summary>
    private static object Command(string name, string? partitionKey, string? sessionToken)
    {
        var type = CommandTypes.Single(t => t.Name == name);
        var constructor = type.GetConstructors().Where(c => c.GetParameters().All(p => p.ParameterType != type)).MaxBy(c => c.GetParameters().Length)!;
        var key = new DocumentKey("doc", partitionKey ?? "");
        var arguments = constructor.GetParameters().Select(object? (p) => p switch
        {
            _ when p.ParameterType == typeof(CollectionDefinition) => Items,
            _ when p.ParameterType == typeof(DocumentKey) => key,
            _ when p.ParameterType == typeof(IReadOnlyList<DocumentKey>) => new[] { key },
            _ when p.ParameterType == typeof(IReadOnlyList<BatchStep>) => new[] { new BatchStep(BatchStepKind.Delete, key) },
            _ when p.ParameterType == typeof(IReadOnlyList<DocumentPatchOperation>) => Array.Empty<DocumentPatchOperation>(),
            _ when p.ParameterType == typeof(DocumentQuery) => new DocumentQuery(null, []),
            _ when p.ParameterType == typeof(ChangeFeedStart) => new ChangeFeedStart.Beginning(),
            _ when p.ParameterType == typeof(ReadOnlyMemory<byte>) => new ReadOnlyMemory<byte>("{}"u8.ToArray()),
            _ when p.ParameterType == typeof(int) => 10,
            _ when p.ParameterType == typeof(string) && p.Name == "PartitionKey" => partitionKey,
            _ when p.ParameterType == typeof(string) && p.Name == "SessionToken" => sessionToken,
            _ => null,
        }).ToArray();
        return constructor.Invoke(arguments);
    }

    /// <summary>Runs a command of any result type through <paramref name="store"/>.</summary>
    private static async Task<IStoreOutcome> ExecuteAsync(IDocumentStore store, object command)
    {
        var resultType = command.GetType().BaseType!;
        while (!resultType.IsGenericType || resultType.GetGenericTypeDefinition() != typeof(StoreCommand<>))
        {
            resultType = resultType.BaseType!;
        }

        var execute = typeof(IDocumentStore).GetMethod(nameof(IDocumentStore.ExecuteAsync))!.MakeGenericMethod(resultType.GetGenericArguments()[0]);
        var task = (Task)execute.Invoke(store, [command, CancellationToken.None])!;
        await task;
        return (IStoreOutcome)task.GetType().GetProperty("Result")!.GetValue(task)!;
    }

    /// <summary>What a read that reached the inner store carried: its type, the partition it read, and its session token.</summary>
    private static (string Type, string? PartitionKey, string? SessionToken) Seen(object command)
    {
        var partitions = (IReadOnlyList<string>)command.GetType().GetProperty("Partitions")!.GetValue(command)!;
        var token = (string?)command.GetType().GetProperty("SessionToken")!.GetValue(command);
        return (command.GetType().Name, partitions.Count == 0 ? null : partitions[0], token);
    }

    /// <summary>A pod sharing tokens through the fixture's redis-server, its store decorating <paramref name="inner"/>.</summary>
    private (SessionConsistentStore Store, SessionTokenResolver Tokens) Pod(ScriptedStore inner)
    {
        var tokens = _pods.Pod(TokenSharing.Redis);
        return (new SessionConsistentStore(inner, inner, tokens), tokens);
    }
}
