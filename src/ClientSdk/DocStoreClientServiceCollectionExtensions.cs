using DocStore.Client;
using DocStore.Client.Internal;
using DocStore.V1;
using Grpc.Core;
using Grpc.Net.Client.Configuration;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the DocStore client.</summary>
public static class DocStoreClientServiceCollectionExtensions
{
    /// <summary>Responses carry documents of up to 2 MB as JSON, which take more room as protobuf.</summary>
    private const int MaxReceiveMessageSize = 16 * 1024 * 1024;

    /// <summary>
    /// Registers <see cref="DocStoreClient"/> (a singleton) and the generated
    /// <see cref="DocStoreService.DocStoreServiceClient"/> through Grpc.Net.ClientFactory, over one channel with
    /// the default deadline, retries of UNAVAILABLE for Get, Upsert, Replace and ReadMany, keep-alive pings, and round-robin
    /// load balancing across every address when <see cref="DocStoreClientOptions.Address"/> uses a resolver scheme
    /// such as <c>dns:///</c> (a Kubernetes headless Service). HttpClientFactory's per-request log lines are
    /// removed, as gRPC logs its calls itself. The options are validated when the host starts (<c>ValidateOnStart</c>),
    /// every problem named at once. Calling it again only reconfigures the options.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options; <see cref="DocStoreClientOptions.Address"/> is required.</param>
    /// <returns>The generated client's builder, to add handlers or reconfigure the channel (<c>ConfigureChannel</c>).</returns>
    public static IHttpClientBuilder AddDocStoreClient(this IServiceCollection services, Action<DocStoreClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var builder = Add(services, Microsoft.Extensions.Options.Options.DefaultName, typeof(DocStoreService.DocStoreServiceClient).Name, configure);
        services.TryAddSingleton<DocStoreClient>(provider => CreateClient(provider, Microsoft.Extensions.Options.Options.DefaultName, builder.Name));
        return builder;
    }

    /// <summary>
    /// Registers a <see cref="DocStoreClient"/> as a keyed singleton under <paramref name="name"/>, with its own options
    /// (named <paramref name="name"/>), channel and session tokens: for a service that talks to more than one DocStore
    /// deployment. Take it with <c>[FromKeyedServices("orders")] DocStoreClient docStore</c> or
    /// <c>GetRequiredKeyedService&lt;DocStoreClient&gt;("orders")</c>; the generated client is
    /// <c>GrpcClientFactory.CreateClient&lt;DocStoreService.DocStoreServiceClient&gt;(builder.Name)</c>. Otherwise as
    /// <see cref="AddDocStoreClient"/>; calling it again with the same name only reconfigures that client's options.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The client's key and options name, such as <c>orders</c>.</param>
    /// <param name="configure">Sets the options; <see cref="DocStoreClientOptions.Address"/> is required.</param>
    /// <returns>The generated client's builder, to add handlers or reconfigure the channel.</returns>
    public static IHttpClientBuilder AddKeyedDocStoreClient(this IServiceCollection services, string name, Action<DocStoreClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        var builder = Add(services, name, $"DocStore.Client:{name}", configure);
        services.TryAddKeyedSingleton<DocStoreClient>(name, (provider, _) => CreateClient(provider, name, builder.Name));
        return builder;
    }

    private static GrpcDocStoreClient CreateClient(IServiceProvider provider, string optionsName, string clientName) =>
        new(provider.GetRequiredService<GrpcClientFactory>().CreateClient<DocStoreService.DocStoreServiceClient>(clientName), Options(provider, optionsName), retryInClient: false);

    private static IHttpClientBuilder Add(IServiceCollection services, string optionsName, string clientName, Action<DocStoreClientOptions> configure)
    {
        services.AddOptions<DocStoreClientOptions>(optionsName).Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DocStoreClientOptions>, DocStoreClientOptionsValidator>());

        var builder = services.AddGrpcClient<DocStoreService.DocStoreServiceClient>(clientName, (provider, factory) => factory.Address = Options(provider, optionsName).Address);

        // AddGrpcClient adds its configuration each time it is called; do the rest once per client.
        if (services.Any(d => d.IsKeyedService && d.ServiceType == typeof(DocStoreClientMarker) && Equals(d.ServiceKey, optionsName)))
        {
            return builder;
        }

        services.AddKeyedSingleton<DocStoreClientMarker>(optionsName);
        builder
            .ConfigureChannel((provider, channel) =>
            {
                var options = Options(provider, optionsName);
                var balanced = options.Address is { } address && address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps;
                channel.ServiceConfig = ServiceConfig(options, balanced);
                channel.MaxReceiveMessageSize = MaxReceiveMessageSize;
                // Without a credential the call credentials add nothing, so plaintext is safe; with one, plaintext was
                // refused by validation unless AllowInsecureCredentials says otherwise.
                channel.UnsafeUseInsecureChannelCallCredentials = options.AllowInsecureCredentials || options.Credential is null;
                if (balanced)
                {
                    // A resolver address says nothing about TLS. With a credential or a client certificate it is TLS;
                    // otherwise h2c, as DocStore serves without TLS settings. ConfigureChannel on the returned builder
                    // can set other credentials.
                    var secure = (options.Credential is not null && !options.AllowInsecureCredentials) || options.ClientCertificate is not null;
                    channel.Credentials ??= secure ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure;
                }
            })
            .AddCallCredentials(async (context, metadata, provider) =>
            {
                // Every call asks; the cache answers from memory until the token is near its expiry.
                if (provider.GetRequiredKeyedService<ClientCredentials>(optionsName).Tokens is { } tokens)
                {
                    metadata.Add("authorization", "Bearer " + await tokens.GetTokenAsync(context.CancellationToken).ConfigureAwait(false));
                }
            })
            .ConfigurePrimaryHttpMessageHandler(provider =>
            {
                var options = Options(provider, optionsName);
                var handler = new SocketsHttpHandler
                {
                    KeepAlivePingDelay = options.KeepAlivePingDelay,
                    KeepAlivePingTimeout = options.KeepAlivePingTimeout,
                    KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                    EnableMultipleHttp2Connections = true,
                    PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                };
                if (options.ClientCertificate is { } certificate)
                {
                    handler.SslOptions.ClientCertificates = [certificate];
                }

                return handler;
            })
            .AddInterceptor(provider => new DefaultDeadlineInterceptor(Options(provider, optionsName).DefaultDeadline))
            // HttpClientFactory's handlers log every request at Information; gRPC logs calls itself (Grpc.Net.Client
            // categories), so those lines only repeat it on a hot path. AddDefaultLogger() on the builder restores them.
            .RemoveAllLoggers();

        services.TryAddKeyedSingleton(optionsName, (provider, _) =>
        {
            var options = Options(provider, optionsName);
            return new ClientCredentials(options.Credential is { } credential
                ? new AccessTokenCache(credential, [.. options.Scopes], provider.GetService<TimeProvider>() ?? TimeProvider.System)
                : null);
        });

        return builder;
    }

    /// <summary>The named options; reading them validates them (an <see cref="OptionsValidationException"/> names every problem).</summary>
    private static DocStoreClientOptions Options(IServiceProvider provider, string name) =>
        provider.GetRequiredService<IOptionsMonitor<DocStoreClientOptions>>().Get(name);

    /// <summary>The token cache of the registered credential, or none.</summary>
    private sealed class ClientCredentials(AccessTokenCache? tokens) : IDisposable
    {
        public AccessTokenCache? Tokens => tokens;

        public void Dispose() => tokens?.Dispose();
    }

    private static ServiceConfig ServiceConfig(DocStoreClientOptions options, bool balanced)
    {
        var config = new ServiceConfig();
        if (options.MaxAttempts > 1)
        {
            // Retries of UNAVAILABLE for the calls whose repeat cannot change the outcome: reads, and a whole-document write
            // of the same body. Never Create, Delete, Patch or ExecuteBatch.
            var retried = new MethodConfig
            {
                Names =
                {
                    new MethodName { Service = "docstore.v1.DocStoreService", Method = "Get" },
                    new MethodName { Service = "docstore.v1.DocStoreService", Method = "Upsert" },
                    new MethodName { Service = "docstore.v1.DocStoreService", Method = "Replace" },
                    new MethodName { Service = "docstore.v1.DocStoreService", Method = "ReadMany" },
                },
                RetryPolicy = new RetryPolicy
                {
                    MaxAttempts = options.MaxAttempts,
                    InitialBackoff = GrpcDocStoreClient.InitialBackoff,
                    MaxBackoff = GrpcDocStoreClient.MaxBackoff,
                    BackoffMultiplier = 2,
                    RetryableStatusCodes = { StatusCode.Unavailable },
                },
            };
            config.MethodConfigs.Add(retried);
        }

        if (balanced)
        {
            config.LoadBalancingConfigs.Add(new RoundRobinConfig());
        }

        return config;
    }

    /// <summary>Marks that the channel configuration is registered, so a second call does not add it twice.</summary>
    private sealed class DocStoreClientMarker;
}
