using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace DocStore.Server.Consistency;

/// <summary>Registers the consistency layer: the session-token resolver and, when used, Redis.</summary>
internal static class ConsistencyServiceCollectionExtensions
{
    public static IServiceCollection AddSessionTokenSharing(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DocStoreOptions>, SessionTokenOptionsValidator>());
        services.TryAddSingleton<ConsistencyMetrics>();
        services.TryAddSingleton<SessionTokenResolver>();
        services.TryAddSingleton<RedisTokenStore>();

        // Created only when the resolver needs it (Sharing=Redis); see RedisConnection for how it connects.
        services.TryAddSingleton<IConnectionMultiplexer>(provider =>
            ConnectionMultiplexer.Connect(RedisConnection.CreateOptions(provider.GetRequiredService<IOptions<DocStoreOptions>>().Value.Redis)));
        return services;
    }
}
