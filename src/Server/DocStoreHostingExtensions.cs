using DocStore.Server.Api;
using DocStore.Server.Consistency;
using DocStore.Server.Operations;
using DocStore.Server.Security;
using DocStore.Server.Storage;
using DocStore.Server.Storage.Cosmos;
using DocStore.Server.Storage.Embedded;
using Grpc.AspNetCore.Server.Model;
using Grpc.Reflection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DocStore.Server;

/// <summary>Registers DocStore's services and endpoints.</summary>
public static class DocStoreHostingExtensions
{
    /// <summary>
    /// The most a request message may be: what the contract carries, a 2 MB document (as
    /// <c>document_json</c>, 2 MB and a few bytes of envelope) or a 100-operation batch of 2 MB (Cosmos
    /// DB's transactional batch limit: 2 MB of bodies and up to 100 ids and partition keys, about 0.3 MB),
    /// with room to spare. A message above it is refused (RESOURCE_EXHAUSTED) from its frame header,
    /// before any of it is buffered or decoded. A document's Struct form can be larger than its JSON
    /// (a number takes 9 bytes there); a caller whose Struct passes the limit sends document_json.
    /// </summary>
    private const int MaxReceiveMessageSize = 4 * 1024 * 1024;

    /// <summary>
    /// Adds the DocStore gRPC service, its options (validated at start-up), the configured store,
    /// reflection and health checks. Kestrel serves HTTP/2 without TLS (h2c) unless configured otherwise.
    /// </summary>
    public static IHostApplicationBuilder AddDocStore(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        // Bound once, here; each part gets what it needs from this instance, and IOptions<DocStoreOptions>
        // hands out the same one. Each part registers the validator of its own settings.
        var settings = DocStoreSettings.Bind(builder.Configuration.GetSection(DocStoreOptions.SectionName));
        var options = settings.Options;
        services.TryAddSingleton(settings);
        services.TryAddSingleton<IOptionsFactory<DocStoreOptions>, BoundOptionsFactory>();
        services.AddOptions<DocStoreOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DocStoreOptions>, DocStoreSettingsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DocStoreOptions>, StoreOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DocStoreOptions>, EmbeddedStoreOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DocStoreOptions>, ChangeFeedOptionsValidator>());

        // A failed start is reported by RunDocStoreAsync in a line per problem; this keeps the host's
        // and Kestrel's stack traces of the same failure off the console meanwhile.
        var startupLogGate = new StartupLogGate();
        services.TryAddSingleton(startupLogGate);
        services.PostConfigure<LoggerFilterOptions>(startupLogGate.Apply);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CollectionRegistry>();
        services.TryAddSingleton<ChangeFeedStreams>();
        services.TryAddSingleton<ChangeFeedFollower>();
        services.TryAddSingleton<EmbeddedDocumentStore>();
        services.AddCosmosStore();
        services.AddSessionTokenSharing();

        // The one store callers receive: the configured store, wrapped in session consistency; and the configured
        // store's other ports, as they are.
        services.TryAddSingleton<IDocumentStore>(provider => new SessionConsistentStore(
            Configured<IDocumentStore>(provider), provider.GetRequiredService<IStoreIdentity>(), provider.GetRequiredService<SessionTokenResolver>()));
        services.TryAddSingleton(Configured<IStoreIdentity>);
        services.TryAddSingleton(Configured<IChangeSignal>);
        services.TryAddSingleton(Configured<IStoreProbe>);
        services.AddHostedService<OpenStoresAtStartup>();

        services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = MaxReceiveMessageSize;
            options.CompressionProviders = [new BoundedGzipProvider(MaxReceiveMessageSize)];

            // The order of the interceptors, outermost first, set here and nowhere else: the error contract wraps
            // everything (so a failed authorization is a status like any other), then authentication, authorization
            // and the audit trail (Security/), then the service.
            options.Interceptors.Add<ExceptionInterceptor>();
            options.Interceptors.Add<AuthorizationInterceptor>();
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, FrameGuard>());

        // grpc-dotnet logs every error status at Information with its detail (which can quote a partition
        // key or id) and the exception's stack trace: a caller's mistake is not the server's news.
        // Logging:LogLevel:Grpc.AspNetCore.Server (a longer category) still turns it back on.
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<DocumentsGrpcService>, DocumentsGrpcServiceMethodProvider>());

        // Reflection finds a service's descriptor through its generated base class, which
        // DocumentsGrpcService does not derive from (see DocumentsGrpcServiceMethodProvider), so the services are
        // listed here. The error-detail messages are described too, so that grpcurl and buf curl can
        // decode the ErrorInfo, BadRequest and RetryInfo in an error instead of printing base64.
        Google.Protobuf.Reflection.ServiceDescriptor[] described =
        [
            V1.DocStoreService.Descriptor,
            Grpc.Health.V1.Health.Descriptor,
            Grpc.Reflection.V1.ServerReflection.Descriptor,
            Grpc.Reflection.V1Alpha.ServerReflection.Descriptor,
        ];
        var names = described.Select(d => d.FullName).ToArray();
        var symbols = SymbolRegistry.FromFiles([.. described.Select(d => d.File), Google.Rpc.ErrorDetailsReflection.Descriptor]);
        services.TryAddSingleton(new ReflectionServiceImpl(names, symbols));
        services.TryAddSingleton(new ReflectionV1ServiceImpl(names, symbols));
        services.AddGrpcReflection();
        services.AddGrpcHealthChecks().AddCheck<StoreHealthCheck>("store", tags: [HealthServices.ReadyTag]);

        // Health services for the probes, metrics, traces, JSON logs, graceful shutdown; and Kestrel's
        // protocols: HTTP/2 (gRPC over h2c) everywhere but the metrics port (Operations/).
        builder.AddDocStoreOperations(options);

        // TLS, caller identity, authorization of every method and the audit trail (Security/).
        builder.AddDocStoreSecurity(options);

        return builder;
    }

    /// <summary>The store <c>DocStore:Store</c> names, as one of its ports.</summary>
    private static T Configured<T>(IServiceProvider provider)
        where T : class =>
        provider.GetRequiredService<IOptions<DocStoreOptions>>().Value.Store == StoreKind.Cosmos
            ? (T)(object)provider.GetRequiredService<CosmosDocumentStore>()
            : (T)(object)provider.GetRequiredService<EmbeddedDocumentStore>();

    /// <summary>Maps the DocStore service, server reflection, the gRPC health service and the metrics endpoint.</summary>
    public static IEndpointRouteBuilder MapDocStore(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGrpcService<DocumentsGrpcService>();
        endpoints.MapGrpcReflectionService();
        endpoints.MapGrpcHealthChecksService();
        endpoints.MapDocStoreOperations();
        return endpoints;
    }
}
