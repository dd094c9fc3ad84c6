using System.Globalization;

namespace DocStore.Server.Security;

/// <summary>
/// The listeners TLS changes: with <c>DocStore:Tls</c> set, every gRPC address given as <c>http://</c> in <c>urls</c> is
/// served over TLS (<c>https://</c>), all but the metrics port and the plaintext health port <c>DocStore:Health:Port</c>,
/// which is added beside them. Addresses from <c>Kestrel:Endpoints</c> are left as configured.
/// </summary>
internal static class SecureEndpoints
{
    private const string HealthEndpointName = "DocStoreHealth";

    public static void Configure(IConfigurationManager configuration, DocStoreOptions settings)
    {
        var healthPort = settings.Health.Port is > 0 and <= 65535 ? settings.Health.Port : 0;
        if (!settings.Tls.Enabled && healthPort == 0)
        {
            return;
        }

        if (configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
        {
            if (healthPort > 0)
            {
                configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    [$"Kestrel:Endpoints:{HealthEndpointName}:Url"] = $"http://*:{healthPort}",
                    [$"Kestrel:Endpoints:{HealthEndpointName}:Protocols"] = "Http2",
                });
            }

            return;
        }

        var urls = ListenAddresses.From(configuration).Urls;
        var metricsPort = settings.Metrics.Port;
        var rewritten = urls
            .Select(url => settings.Tls.Enabled && url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && ListenAddresses.PortOf(url) != metricsPort
                ? "https://" + url["http://".Length..]
                : url)
            .ToList();
        if (healthPort > 0)
        {
            var host = urls.All(ListenAddresses.IsLoopback) ? "localhost" : "*";
            rewritten.Add(string.Create(CultureInfo.InvariantCulture, $"http://{host}:{healthPort}"));
        }

        configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = string.Join(';', rewritten) });
    }
}
