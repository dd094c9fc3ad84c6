extern alias server;

using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using server::DocStore.Server.Operations;

namespace DocStore.Server.Tests.Unit;

/// <summary>Where the metrics listener goes, beside whatever addresses the gRPC endpoints were given.</summary>
public sealed class MetricsEndpointTests
{
    private static ConfigurationManager Configuration(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        return configuration;
    }

    [Fact]
    public void Without_addresses_grpc_keeps_the_default_localhost_5000_and_metrics_listen_on_localhost()
    {
        var configuration = Configuration();
        MetricsEndpoint.AddListener(configuration, 9090);
        Assert.Equal("http://localhost:5000;http://localhost:9090", configuration["urls"]);
    }

    [Fact]
    public void Urls_given_with_dash_dash_urls_are_kept_and_a_non_loopback_address_puts_metrics_on_every_interface()
    {
        var loopback = Configuration(("urls", "http://127.0.0.1:6000"));
        MetricsEndpoint.AddListener(loopback, 9100);
        Assert.Equal("http://127.0.0.1:6000;http://localhost:9100", loopback["urls"]);

        var everywhere = Configuration(("urls", "http://+:8080"));
        MetricsEndpoint.AddListener(everywhere, 9090);
        Assert.Equal("http://+:8080;http://*:9090", everywhere["urls"]);
    }

    [Fact]
    public void The_container_images_http_ports_become_urls_beside_the_metrics_port()
    {
        var configuration = Configuration(("http_ports", "8080"));
        MetricsEndpoint.AddListener(configuration, 9090);
        Assert.Equal("http://*:8080;http://*:9090", configuration["urls"]);
    }

    [Fact]
    public void With_kestrel_endpoints_configured_metrics_get_a_named_http1_endpoint_beside_them()
    {
        var configuration = Configuration(("Kestrel:Endpoints:Grpc:Url", "http://*:7000"));
        MetricsEndpoint.AddListener(configuration, 9090);
        Assert.Null(configuration["urls"]);
        Assert.Equal("http://*:9090", configuration["Kestrel:Endpoints:DocStoreMetrics:Url"]);
        Assert.Equal("Http1", configuration["Kestrel:Endpoints:DocStoreMetrics:Protocols"]);
    }

    [Fact]
    public void Only_the_metrics_port_speaks_http1_every_other_endpoint_is_http2_for_grpc()
    {
        Assert.Equal(HttpProtocols.Http1, MetricsEndpoint.ProtocolsFor(9090, 9090));
        Assert.Equal(HttpProtocols.Http2, MetricsEndpoint.ProtocolsFor(5000, 9090));
        Assert.Equal(HttpProtocols.Http2, MetricsEndpoint.ProtocolsFor(5000, 0));
    }
}
