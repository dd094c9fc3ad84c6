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
    /// the default deadline, retries of UNAVAILABLE for Get and Upsert, keep-alive pings, and round-robin load
    /// balancing across every address when <see cref="DocStoreClientOptions.Address"/> uses a resolver scheme
    /// such as <c>dns:///</c> (a Kubernetes headless Service). HttpClientFactory's per-request log lines are
    /// removed, as gRPC logs its calls itself. Calling it again only reconfigures the options.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options; <see cref="DocStoreClientOptions.Address"/> is required.</param>
    /// <returns>The generated client's builder, to add handlers or reconfigure the channel (<c>ConfigureChannel</c>).</returns>
    public static IHttpClientBuilder AddDocStoreClient(this IServiceCollection services, Action<DocStoreClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<DocStoreClientOptions>().Configure(configure);

        var builder = services.AddGrpcClient<DocStoreService.DocStoreServiceClient>((provider, factory) =>
            factory.Address = CheckCredentials(Options(provider)).Address
                ?? throw new InvalidOperationException("DocStoreClientOptions.Address is required: services.AddDocStoreClient(o => o.Address = new Uri(\"http://docstore:5000\"))."));

        // AddGrpcClient adds its configuration each time it is called; do the rest once.
        if (services.Any(d => d.ServiceType == typeof(DocStoreClientMarker)))
        {
            return builder;
        }

        services.AddSingleton<DocStoreClientMarker>();
        builder
            .ConfigureChannel((provider, channel) =>
            {
                var options = Options(provider);
                var balanced = options.Address is { } address && address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps;
                channel.ServiceConfig = ServiceConfig(options, balanced);
                channel.MaxReceiveMessageSize = MaxReceiveMessageSize;
                // Without a credential the call credentials add nothing, so plaintext is safe; with one, plaintext was
                // refused when the address was set unless AllowInsecureCredentials says otherwise.
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
                if (provider.GetRequiredService<ClientCredentials>().Tokens is { } tokens)
                {
                    metadata.Add("authorization", "Bearer " + await tokens.GetTokenAsync(context.CancellationToken).ConfigureAwait(false));
                }
            })
            .ConfigurePrimaryHttpMessageHandler(provider =>
            {
                var options = Options(provider);
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
            .AddInterceptor(provider => new DefaultDeadlineInterceptor(Options(provider).DefaultDeadline))
            // HttpClientFactory's handlers log every request at Information; gRPC logs calls itself (Grpc.Net.Client
            // categories), so those lines only repeat it on a hot path. AddDefaultLogger() on the builder restores them.
            .RemoveAllLoggers();

        services.TryAddSingleton(provider =>
        {
            var options = Options(provider);
            return new ClientCredentials(options.Credential is { } credential
                ? new AccessTokenCache(credential, [.. options.Scopes], provider.GetService<TimeProvider>() ?? TimeProvider.System)
                : null);
        });

        var name = builder.Name;
        services.TryAddSingleton<DocStoreClient>(provider => new GrpcDocStoreClient(
            provider.GetRequiredService<GrpcClientFactory>().CreateClient<DocStoreService.DocStoreServiceClient>(name),
            Options(provider)));
        return builder;
    }

    private static DocStoreClientOptions Options(IServiceProvider provider) =>
        provider.GetRequiredService<IOptions<DocStoreClientOptions>>().Value;

    /// <summary>Refuses a token credential over plaintext, unless allowed for local tests, and a credential without scopes.</summary>
    private static DocStoreClientOptions CheckCredentials(DocStoreClientOptions options)
    {
        if (options.Credential is null)
        {
            return options;
        }

        if (options.Scopes.Count == 0)
        {
            throw new InvalidOperationException("DocStoreClientOptions.Credential needs Scopes, e.g. o.Scopes.Add(\"api://docstore/.default\").");
        }

        if (options.Address?.Scheme == Uri.UriSchemeHttp && !options.AllowInsecureCredentials)
        {
            throw new InvalidOperationException(
                $"DocStoreClientOptions.Credential would send tokens over plaintext to {options.Address}; use an https:// address, or set AllowInsecureCredentials for local tests.");
        }

        return options;
    }

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
            var retried = new MethodConfig
            {
                Names =
                {
                    new MethodName { Service = "docstore.v1.DocStoreService", Method = "Get" },
                    new MethodName { Service = "docstore.v1.DocStoreService", Method = "Upsert" },

                    // Safe to repeat: the same body again. Never Create, Delete, Patch or ExecuteBatch.
                    new MethodName { Service = "docstore.v1.DocStoreService", Method = "Replace" },
                    new MethodName { Service = "docstore.v1.DocStoreService", Method = "ReadMany" },
                },
                RetryPolicy = new RetryPolicy
                {
                    MaxAttempts = options.MaxAttempts,
                    InitialBackoff = TimeSpan.FromMilliseconds(100),
                    MaxBackoff = TimeSpan.FromSeconds(2),
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
