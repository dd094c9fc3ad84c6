extern alias server;

using DocStore.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using server::DocStore.Server;
using server::DocStore.Server.Consistency;
using server::DocStore.Server.Storage;

namespace DocStore.Server.Tests.Consistency;

/// <summary>What a read passes to the store in each sharing mode; pods are separate service providers over one real redis-server.</summary>
public sealed class SessionTokenRegistryTests : IAsyncLifetime
{
    private static readonly CollectionDefinition Items = new("items", "items", server::DocStore.Server.Storage.JsonPointer.Parse("/pk"));

    private readonly List<ServiceProvider> _providers = [];
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Off_passes_only_the_callers_token_and_shares_nothing()
    {
        var pod = Pod(TokenSharing.Off);

        await pod.AdvanceAsync(Items, "p", "0:-1#5");

        Assert.Null(await pod.ForReadAsync(Items, "p", null, CancellationToken.None));
        Assert.Equal("0:-1#2", await pod.ForReadAsync(Items, "p", "0:-1#2", CancellationToken.None));
        Assert.Empty(await KeysAsync());
    }

    [Fact]
    public async Task Local_merges_the_callers_token_with_this_process_own_for_the_partition()
    {
        var pod = Pod(TokenSharing.Local);

        await pod.AdvanceAsync(Items, "p", "0:-1#5,1:-1#2");

        Assert.Equal("0:-1#5,1:-1#2", await pod.ForReadAsync(Items, "p", null, CancellationToken.None));
        Assert.Equal("0:-1#9,1:-1#2", await pod.ForReadAsync(Items, "p", "0:-1#9", CancellationToken.None));
        Assert.Null(await pod.ForReadAsync(Items, "another", null, CancellationToken.None));
        Assert.Empty(await KeysAsync());
    }

    [Fact]
    public async Task Redis_gives_a_pod_the_token_another_pod_wrote_merged_with_the_callers_and_its_own()
    {
        var podA = Pod(TokenSharing.Redis);
        var podB = Pod(TokenSharing.Redis);

        await podA.AdvanceAsync(Items, "p", "0:-1#7");
        await podB.AdvanceAsync(Items, "q", "0:-1#8");

        Assert.Equal("0:-1#7", await podB.ForReadAsync(Items, "p", null, CancellationToken.None));
        Assert.Equal("1:-1#3,0:-1#7", await podB.ForReadAsync(Items, "p", "1:-1#3", CancellationToken.None));
        Assert.Equal("0:-1#8", await podA.ForReadAsync(Items, "q", null, CancellationToken.None));
        Assert.Equal(2, (await KeysAsync()).Length);
    }

    [Fact]
    public async Task With_redis_down_a_read_goes_out_with_what_the_pod_has()
    {
        var pod = Pod(TokenSharing.Redis, redis: $"127.0.0.1:{ServerProcess.FreePort()}");

        await pod.AdvanceAsync(Items, "p", "0:-1#4");

        Assert.Equal("0:-1#4", await pod.ForReadAsync(Items, "p", null, CancellationToken.None));
        Assert.Equal("0:-1#6", await pod.ForReadAsync(Items, "p", "0:-1#6", CancellationToken.None));
    }

    private SessionTokenRegistry Pod(TokenSharing sharing, string? redis = null)
    {
        // A generous Redis timeout: these tests are about what is merged, not about a loaded machine's latency.
        var options = new DocStoreOptions
        {
            Redis = { Configuration = redis ?? _redis.Configuration },
            SessionTokens = { Sharing = sharing, RedisTimeout = TimeSpan.FromSeconds(5) },
        };
        var services = new ServiceCollection()
            .AddMetrics()
            .AddLogging()
            .AddSingleton(Options.Create(options))
            .AddSingleton(TimeProvider.System)
            .AddSingleton<IDocumentStore, ScopeOnlyStore>();
        services.AddSessionTokenSharing();
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider.GetRequiredService<SessionTokenRegistry>();
    }

    private async Task<StackExchange.Redis.RedisKey[]> KeysAsync()
    {
        await using var redis = await _redis.ConnectAsync();
        return [.. redis.GetServer(redis.GetEndPoints()[0]).Keys(pattern: TokenKeys.Prefix + "*")];
    }

    /// <summary>The registry needs only the store's token scope.</summary>
    private sealed class ScopeOnlyStore : IDocumentStore
    {
        public string TokenScope(CollectionDefinition collection) => "test/" + collection.Container;

        public Task<StoreResult> ReadAsync(CollectionDefinition collection, DocumentKey key, string? sessionToken, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<StoreResult> UpsertAsync(CollectionDefinition collection, DocumentKey key, ReadOnlyMemory<byte> body, string? ifMatch, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<StoreResult> PatchAsync(CollectionDefinition collection, DocumentKey key, IReadOnlyList<DocumentPatchOperation> operations, string? ifMatch, server::DocStore.Server.Storage.Query.DocumentFilter? condition, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<StorePage> QueryAsync(CollectionDefinition collection, string? partitionKey, server::DocStore.Server.Storage.Query.DocumentQuery query, int pageSize, string? continuation, string? sessionToken, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<StorePage> ReadChangesAsync(CollectionDefinition collection, string? partitionKey, ChangeFeedStart start, int maxItems, string? sessionToken, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task WaitForChangesAsync(CollectionDefinition collection, TimeSpan timeout, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => Task.FromResult(true);
    }
}
