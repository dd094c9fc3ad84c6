using System.Globalization;
using Grpc.AspNetCore.HealthChecks;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DocStore.Server.Operations;

/// <summary>
/// What a platform runs the service with: health services for the probes, metrics and traces, JSON logs
/// and graceful shutdown. Called from <see cref="DocStoreHostingExtensions"/>.
/// </summary>
internal static class OperationsExtensions
{
    /// <summary>Registers the operational services; reads the keys that decide what is registered from configuration.</summary>
    public static void AddDocStoreOperations(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

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
        services.AddOptions<HostOptions>().Configure<IConfiguration>((host, config) =>
            host.ShutdownTimeout = ReadTimeSpan(config, "DrainDelay", TimeSpan.Zero) + ReadTimeSpan(config, "GracePeriod", new ShutdownOptions().GracePeriod));

        // Metrics on their own HTTP/1.1 port; gRPC (h2c) on every other endpoint.
        var metricsPort = MetricsEndpoint.ReadPort(configuration);
        services.AddSingleton(new MetricsEndpointSettings(metricsPort));
        services.TryAddSingleton<DocStoreMetrics>();
        if (metricsPort > 0)
        {
            MetricsEndpoint.AddListener(builder.Configuration, metricsPort);
        }

        // Kestrel's limits from Kestrel:Limits (MaxConcurrentConnections, RequestHeadersTimeout, ...), which
        // WebApplication does not bind by itself; the chart sets them (values.yaml, kestrel.limits).
        services.Configure<KestrelServerOptions>(kestrel => configuration.GetSection("Kestrel:Limits").Bind(kestrel.Limits));
        services.Configure<KestrelServerOptions>(kestrel => kestrel.ConfigureEndpointDefaults(endpoint =>
        {
            endpoint.Protocols = MetricsEndpoint.ProtocolsFor(endpoint.IPEndPoint?.Port ?? -1, metricsPort);
            if (endpoint.Protocols == HttpProtocols.Http2)
            {
                PrefaceTimeout.Apply(endpoint);
            }
        }));

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, GrpcStatusMetricsTag>());
        Telemetry.Add(builder, prometheus: metricsPort > 0);

        if (bool.TryParse(configuration[$"{DocStoreOptions.SectionName}:Logging:Json"], out var json) && json)
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

    /// <summary>A <c>DocStore:Shutdown</c> time span; one that does not parse reads as its default here and is reported by the options validator.</summary>
    private static TimeSpan ReadTimeSpan(IConfiguration configuration, string name, TimeSpan fallback) =>
        TimeSpan.TryParse(configuration[$"{DocStoreOptions.SectionName}:Shutdown:{name}"], CultureInfo.InvariantCulture, out var value) && value >= TimeSpan.Zero
            ? value
            : fallback;
}

/// <summary>The metrics port as registered at start-up (0: off), so that mapping matches registration.</summary>
internal sealed record MetricsEndpointSettings(int Port);
