extern alias server;

using DocStore.Client.Tests.Infrastructure;
using DocStore.V1;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using server::DocStore.Server.Storage;
using DocStore.Tests.Shared;

namespace DocStore.Client.Tests;

public sealed class RegistrationTests
{
    /// <summary>The registration as an application writes it, with the transport swapped for the in-memory test server.</summary>
    private static ServiceProvider Services(TestDocStore server, Action<DocStoreClientOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddDocStoreClient(o =>
        {
            o.Address = server.BaseAddress;
            configure?.Invoke(o);
        }).ConfigurePrimaryHttpMessageHandler(server.CreateHandler);
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task The_registered_client_reads_and_writes()
    {
        using var server = new TestDocStore();
        await using var provider = Services(server);

        var client = provider.GetRequiredService<DocStoreClient>();
        var written = await client.UpsertAsync("items", new Cart("r1", "p", ["x"], 1));
        var read = await client.GetAsync<Cart>("items", "r1", "p");

        Assert.Equal(written.ETag, read.ETag);
        Assert.Same(client, provider.GetRequiredService<DocStoreClient>());
    }

    [Fact]
    public void It_returns_the_generated_clients_builder_and_a_second_call_is_harmless()
    {
        var services = new ServiceCollection();
        var builder = services.AddDocStoreClient(o => o.Address = new Uri("http://first:5000"));
        var again = services.AddDocStoreClient(o => o.DefaultDeadline = TimeSpan.FromSeconds(3));

        Assert.Equal(builder.Name, again.Name);
        Assert.Single(services, d => d.ServiceType == typeof(DocStoreClient));
        using var provider = services.BuildServiceProvider();
        // The generated client comes from the gRPC client factory under the builder's name, aimed at the configured address.
        var factoryOptions = provider.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<Grpc.Net.ClientFactory.GrpcClientFactoryOptions>>().Get(builder.Name);
        Assert.Equal(new Uri("http://first:5000"), factoryOptions.Address);
        var options = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<DocStoreClientOptions>>().Value;
        Assert.Equal(new Uri("http://first:5000"), options.Address);
        Assert.Equal(TimeSpan.FromSeconds(3), options.DefaultDeadline);
    }

    [Fact]
    public void An_address_is_required()
    {
        var services = new ServiceCollection();
        services.AddDocStoreClient(_ => { });
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredService<DocStoreClient>());
        Assert.Contains("Address", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_default_deadline_applies_to_the_generated_client_too()
    {
        var store = new ScriptedStore(StoreResult.NotFound) { ReadDelay = TimeSpan.FromSeconds(2) };
        using var server = TestDocStore.Create(configureServices: services => services.AddScriptedStore(store));
        await using var provider = Services(server, o => o.DefaultDeadline = TimeSpan.FromMilliseconds(200));

        var raw = provider.GetRequiredService<DocStoreService.DocStoreServiceClient>();
        await Assert.ThrowsAsync<RpcException>(() => raw.UpsertAsync(new UpsertRequest { Collection = "items", Document = new() { Fields = { ["id"] = Google.Protobuf.WellKnownTypes.Value.ForString("x"), ["pk"] = Google.Protobuf.WellKnownTypes.Value.ForString("p") } } }).ResponseAsync);

        var e = await Assert.ThrowsAsync<RpcException>(() => raw.GetAsync(new GetRequest { Collection = "items", Id = "x", PartitionKey = "p" }).ResponseAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
    }

    [Fact]
    public async Task Unavailable_is_retried_for_get_and_upsert_but_never_for_patch()
    {
        var store = new ScriptedStore(StoreResult.Failure(StoreStatus.Unavailable, "down"));
        using var server = TestDocStore.Create(configureServices: services => services.AddScriptedStore(store));
        await using var provider = Services(server, o => o.MaxAttempts = 3);
        var client = provider.GetRequiredService<DocStoreClient>();

        await Assert.ThrowsAsync<DocStoreUnavailableException>(() => client.GetAsync<Cart>("items", "x", "p"));
        Assert.Equal(3, store.Calls);

        await Assert.ThrowsAsync<DocStoreUnavailableException>(() => client.UpsertAsync("items", new Cart("x", "p", [], 1)));
        Assert.Equal(6, store.Calls);

        await Assert.ThrowsAsync<DocStoreUnavailableException>(() => client.PatchAsync<Cart>("items", "x", "p", Patch.Increment("/total", 1)));
        Assert.Equal(7, store.Calls);
    }

    [Fact]
    public async Task Other_errors_are_not_retried()
    {
        var store = new ScriptedStore(StoreResult.NotFound);
        using var server = TestDocStore.Create(configureServices: services => services.AddScriptedStore(store));
        await using var provider = Services(server, o => o.MaxAttempts = 3);

        await Assert.ThrowsAsync<DocStoreNotFoundException>(() => provider.GetRequiredService<DocStoreClient>().GetAsync<Cart>("items", "x", "p"));
        Assert.Equal(1, store.Calls);
    }

    [Fact]
    public void The_transport_pings_to_keep_connections_alive_and_may_open_more_than_one()
    {
        var services = new ServiceCollection();
        var builder = services.AddDocStoreClient(o =>
        {
            o.Address = new Uri("http://docstore:5000");
            o.KeepAlivePingDelay = TimeSpan.FromSeconds(20);
            o.KeepAlivePingTimeout = TimeSpan.FromSeconds(7);
        });
        using var provider = services.BuildServiceProvider();

        var handler = provider.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(builder.Name);
        while (handler is DelegatingHandler outer)
        {
            handler = outer.InnerHandler!;
        }

        var sockets = Assert.IsType<SocketsHttpHandler>(handler);
        Assert.Equal(TimeSpan.FromSeconds(20), sockets.KeepAlivePingDelay);
        Assert.Equal(TimeSpan.FromSeconds(7), sockets.KeepAlivePingTimeout);
        Assert.Equal(HttpKeepAlivePingPolicy.Always, sockets.KeepAlivePingPolicy);
        Assert.True(sockets.EnableMultipleHttp2Connections);
    }
}
