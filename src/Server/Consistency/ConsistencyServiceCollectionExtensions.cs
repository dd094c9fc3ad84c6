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

        // Created only when the resolver needs it (Sharing=Redis). It never blocks start-up for long
        // and never fails it: a Redis that is down is retried in the background, and until it answers,
        // commands fail at once instead of queueing.
        services.TryAddSingleton<IConnectionMultiplexer>(provider =>
        {
            var options = ConfigurationOptions.Parse(provider.GetRequiredService<IOptions<DocStoreOptions>>().Value.Redis.Configuration!);
            options.AbortOnConnectFail = false;
            options.BacklogPolicy = BacklogPolicy.FailFast;
            options.ConnectTimeout = Math.Min(options.ConnectTimeout, 2000);
            options.ReconnectRetryPolicy ??= new LinearRetry(500);
            options.ClientName ??= "docstore";
            return ConnectionMultiplexer.Connect(options);
        });
        return services;
    }
}
