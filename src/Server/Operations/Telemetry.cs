using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DocStore.Server.Operations;

/// <summary>
/// OpenTelemetry: metrics from ASP.NET Core (gRPC calls per method and status) and every <c>DocStore.*</c>
/// meter, exported for Prometheus when the metrics port is on; traces from ASP.NET Core, the gRPC client and
/// StackExchange.Redis, exported by OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set and off otherwise.
/// </summary>
internal static class Telemetry
{
    /// <summary>Every meter DocStore publishes matches this: <c>DocStore.Server</c>, <c>DocStore.Consistency</c>, ...</summary>
    public const string MeterWildcard = "DocStore.*";

    /// <summary>The service name on metrics and traces unless <c>OTEL_SERVICE_NAME</c> says otherwise.</summary>
    public const string ServiceName = "docstore";

    /// <summary>Adds metrics (and the Prometheus exporter when <paramref name="prometheus"/>) and traces (with Redis's when <paramref name="redis"/>).</summary>
    public static void Add(IHostApplicationBuilder builder, bool prometheus, bool redis)
    {
        var configuration = builder.Configuration;
        var telemetry = builder.Services.AddOpenTelemetry();
        if (string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"]))
        {
            telemetry.ConfigureResource(resource => resource.AddService(ServiceName));
        }

        telemetry.WithMetrics(metrics =>
        {
            metrics.AddAspNetCoreInstrumentation().AddMeter(MeterWildcard);
            if (prometheus)
            {
                metrics.AddPrometheusExporter(options => options.ScrapeResponseCacheDurationMilliseconds = 0);
            }
        });

        if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation().AddGrpcClientInstrumentation();
                if (redis)
                {
                    // Instruments the IConnectionMultiplexer the consistency layer registers. Without Redis
                    // that registration must not be resolved: it has no configuration to connect with.
                    tracing.AddRedisInstrumentation();
                }

                tracing.AddOtlpExporter();
            });
        }
    }
}
