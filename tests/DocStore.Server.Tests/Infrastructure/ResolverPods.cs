extern alias server;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using server::DocStore.Server;
using server::DocStore.Server.Consistency;

namespace DocStore.Server.Tests.Infrastructure;

/// <summary>
/// Session-token resolvers standing for separate pods: each is built by its own service provider,
/// as the server registers it, over one real redis-server that this fixture starts and stops.
/// </summary>
public sealed class ResolverPods : IAsyncDisposable
{
    private readonly List<ServiceProvider> _providers = [];

    private ResolverPods(RedisServer redis) => Redis = redis;

    public RedisServer Redis { get; }

    public static async Task<ResolverPods> StartAsync() => new(await RedisServer.StartAsync());

    /// <summary>A new pod's resolver in <paramref name="sharing"/> mode, using <paramref name="redis"/> or else this fixture's redis-server.</summary>
    internal SessionTokenResolver Pod(TokenSharing sharing, string? redis = null)
    {
        // A generous Redis timeout: these tests are about what is merged, not about a loaded machine's latency.
        var options = new DocStoreOptions
        {
            Redis = { Configuration = redis ?? Redis.Configuration },
            SessionTokens = { Sharing = sharing, RedisTimeout = TimeSpan.FromSeconds(5) },
        };
        var services = new ServiceCollection()
            .AddMetrics()
            .AddLogging()
            .AddSingleton(Options.Create(options))
            .AddSingleton(TimeProvider.System);
        services.AddSessionTokenSharing();
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider.GetRequiredService<SessionTokenResolver>();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        await Redis.DisposeAsync();
    }
}
