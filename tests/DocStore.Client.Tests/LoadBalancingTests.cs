using DocStore.Client.Tests.Infrastructure;
using Grpc.Net.Client.Balancer;
using Microsoft.Extensions.DependencyInjection;

namespace DocStore.Client.Tests;

public sealed class LoadBalancingTests
{
    [Fact]
    public async Task A_resolver_address_spreads_calls_round_robin_over_every_server()
    {
        // Three real servers on loopback ports, sharing one file so that each can answer every Get.
        var path = TempFiles.NewDatabasePath();
        await using var a = await KestrelDocStore.StartAsync(path);
        await using var b = await KestrelDocStore.StartAsync(path);
        await using var c = await KestrelDocStore.StartAsync(path);
        KestrelDocStore[] servers = [a, b, c];

        var services = new ServiceCollection();
        services.AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => servers.Select(s => new BalancerAddress(s.Address.Host, s.Address.Port))));
        services.AddDocStoreClient(o => o.Address = new Uri("static:///docstore"));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<DocStoreClient>();

        await client.UpsertAsync("items", new Cart("lb", "p", [], 1));

        // Round-robin picks among the connections that are ready; the first calls may come before all three are.
        // Bounded: 300 calls, far more than round-robin needs to reach three ready servers.
        for (var i = 0; i < 300 && servers.Any(s => s.Calls < 5); i++)
        {
            Assert.Equal(1, (await client.GetAsync<Cart>("items", "lb", "p")).Value.Total);
        }

        Assert.All(servers, s => Assert.True(s.Calls >= 5, $"{s.Address} got {s.Calls} calls: {string.Join(", ", servers.Select(x => x.Calls))}"));
    }

    [Fact]
    public async Task A_dns_address_needs_no_tls_settings()
    {
        await using var server = await KestrelDocStore.StartAsync(TempFiles.NewDatabasePath());
        var services = new ServiceCollection();
        services.AddDocStoreClient(o => o.Address = new Uri($"dns:///localhost:{server.Address.Port}"));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<DocStoreClient>();

        var written = await client.UpsertAsync("items", new Cart("dns", "p", [], 4));

        Assert.Equal(4, written.Value.Total);
        Assert.True(server.Calls >= 1);
    }
}
