using Grpc.AspNetCore.HealthChecks;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DocStore.Server.Operations;

/// <summary>
/// What a platform runs the service with: health services for the probes, metrics and traces, JSON logs
/// and graceful shutdown. Called from <see cref="DocStoreHostingExtensions"/>.
/// </summary>
internal static class OperationsExtensions
{
    /// <summary>Registers the operational services as <paramref name="options"/> (bound once, by the caller) say.</summary>
    public static void AddDocStoreOperations(this IHostApplicationBuilder builder, DocStoreOptions options)
    {
        var services = builder.Services;
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DocStoreOptions>, OperationsOptionsValidator>());

        // Health: the gRPC health service answers for "liveness", "readiness" and "" (overall = readiness).
        services.TryAddSingleton<ShutdownState>();
        services.AddHealthChecks()
            .AddCheck<ProcessHealthCheck>("process", tags: [HealthServices.LiveTag])
            .AddCheck<ShutdownHealthCheck>("shutdown", tags: [HealthServices.ReadyTag]);
        services.Configure<GrpcHealthChecksOptions>(options =>
        {
            options.Services.Clear();
            options.Services.Map("", check => check.Tags.Contains(HealthServices.ReadyTag));
            options.Services.Map(HealthServices.Liveness, check => check.Tags.Contains(HealthServices.LiveTag));
            options.Services.Map(HealthServices.Readiness, check => check.Tags.Contains(HealthServices.ReadyTag));
        });

        // Graceful shutdown: readiness off at SIGTERM, then the drain delay, then calls in flight get the grace period.
        services.AddHostedService<GracefulShutdown>();
        // Out-of-range values stop the start (OperationsOptionsValidator) before this timeout is used.
        var shutdown = options.Shutdown;
        services.Configure<HostOptions>(host =>
            host.ShutdownTimeout = TimeSpan.FromTicks(Math.Max(0, shutdown.DrainDelay.Ticks)) + TimeSpan.FromTicks(Math.Max(0, shutdown.GracePeriod.Ticks)));

        // Metrics on their own HTTP/1.1 port, when one is set; gRPC (h2c) on every other endpoint.
        var metricsPort = options.Metrics.Port is > 0 and <= 65535 ? options.Metrics.Port : 0;
        services.AddSingleton(new MetricsEndpointSettings(metricsPort));
        services.TryAddSingleton<DocStoreMetrics>();
        if (metricsPort > 0)
        {
            MetricsEndpoint.AddListener(builder.Configuration, metricsPort);
        }

        services.Configure<KestrelServerOptions>(kestrel => kestrel.ConfigureEndpointDefaults(endpoint =>
            endpoint.Protocols = MetricsEndpoint.ProtocolsFor(endpoint.IPEndPoint?.Port ?? -1, metricsPort)));

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, GrpcStatusMetricsTag>());
        Telemetry.Add(builder, prometheus: metricsPort > 0, redis: options.SessionTokens.EffectiveSharing(options.Redis) == TokenSharing.Redis);

        if (options.Logging.Json)
        {
            builder.Logging.AddJsonConsole(options =>
            {
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                options.IncludeScopes = true;
            });
        }
    }

    /// <summary>Maps <c>/metrics</c> on the metrics port only, when it is on.</summary>
    public static void MapDocStoreOperations(this IEndpointRouteBuilder endpoints)
    {
        var port = endpoints.ServiceProvider.GetRequiredService<MetricsEndpointSettings>().Port;
        if (port > 0)
        {
            endpoints.MapPrometheusScrapingEndpoint(MetricsEndpoint.Path).RequireHost($"*:{port}");
        }
    }
}

/// <summary>The metrics port as registered at start-up (0: off), so that mapping matches registration.</summary>
internal sealed record MetricsEndpointSettings(int Port);
