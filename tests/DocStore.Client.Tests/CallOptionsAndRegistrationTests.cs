extern alias server;

using System.Text.Json;
using System.Text.Json.Serialization;
using DocStore.Client.Tests.Infrastructure;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using DocStore.Tests.Shared;
using server::DocStore.Server.Storage;

namespace DocStore.Client.Tests;

public sealed class CallOptionsAndRegistrationTests
{
    [Fact]
    public void Create_refuses_the_options_only_a_registered_channel_can_honour()
    {
        using var channel = GrpcChannel.ForAddress("http://127.0.0.1:1");

        var address = Assert.Throws<ArgumentException>(() => DocStoreClient.Create(channel, new DocStoreClientOptions { Address = new Uri("http://elsewhere:5000") }));
        var keepAlive = Assert.Throws<ArgumentException>(() => DocStoreClient.Create(channel, new DocStoreClientOptions { KeepAlivePingDelay = TimeSpan.FromSeconds(5) }));
        var attempts = Assert.Throws<ArgumentException>(() => DocStoreClient.Create(channel, new DocStoreClientOptions { MaxAttempts = 9 }));

        Assert.Contains("Address", address.Message, StringComparison.Ordinal);
        Assert.Contains("KeepAlivePingDelay", keepAlive.Message, StringComparison.Ordinal);
        Assert.Contains("MaxAttempts", attempts.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_honours_MaxAttempts_by_retrying_reads_and_idempotent_writes_but_not_patches()
    {
        var store = new ScriptedStore(StoreResult.Failure(StoreStatus.Unavailable, "connection refused"));
        using var server = TestDocStore.Create(configureServices: services => services.AddScriptedStore(store));

        var client = DocStoreClient.Create(server.Channel, new DocStoreClientOptions { MaxAttempts = 3 });
        await Assert.ThrowsAsync<DocStoreUnavailableException>(() => client.GetAsync<Cart>("items", "x", "p"));
        Assert.Equal(3, store.Calls);

        await Assert.ThrowsAsync<DocStoreUnavailableException>(() => client.PatchAsync<Cart>("items", "x", "p", Patch.Increment("/total", 1)));
        Assert.Equal(4, store.Calls);

        var once = DocStoreClient.Create(server.Channel, new DocStoreClientOptions { MaxAttempts = 1 });
        await Assert.ThrowsAsync<DocStoreUnavailableException>(() => once.GetAsync<Cart>("items", "x", "p"));
        Assert.Equal(5, store.Calls);
    }

    [Fact]
    public async Task A_session_token_in_the_call_options_is_sent_on_a_read_and_refused_on_a_write()
    {
        using var server = new TestDocStore();
        var client = DocStoreClient.Create(server.Channel);
        await client.UpsertAsync("items", new Cart("c1", "p", [], 1));

        // The server checks a token's form, so a malformed one shows that the client sent it.
        var e = await Assert.ThrowsAsync<DocStoreInvalidArgumentException>(() => client.GetAsync<Cart>("items", "c1", "p", new DocStoreCallOptions { SessionToken = "not-a-token" }));
        Assert.Equal("session_token", Assert.Single(e.FieldViolations).Field);

        await Assert.ThrowsAsync<ArgumentException>(() => client.UpsertAsync("items", new Cart("c1", "p", [], 2), options: new DocStoreCallOptions { SessionToken = "0:-1#1" }));
    }

    [Fact]
    public async Task Keyed_clients_talk_to_their_own_deployments()
    {
        using var orders = new TestDocStore();
        using var carts = new TestDocStore();
        var services = new ServiceCollection();
        services.AddKeyedDocStoreClient("orders", o => o.Address = orders.BaseAddress).ConfigurePrimaryHttpMessageHandler(orders.CreateHandler);
        services.AddKeyedDocStoreClient("carts", o => o.Address = carts.BaseAddress).ConfigurePrimaryHttpMessageHandler(carts.CreateHandler);
        await using var provider = services.BuildServiceProvider();

        var ordersClient = provider.GetRequiredKeyedService<DocStoreClient>("orders");
        var cartsClient = provider.GetRequiredKeyedService<DocStoreClient>("carts");
        await ordersClient.UpsertAsync("items", new Cart("k1", "p", [], 1));

        Assert.NotSame(ordersClient, cartsClient);
        Assert.Equal(1, (await ordersClient.GetAsync<Cart>("items", "k1", "p")).Value.Total);
        await Assert.ThrowsAsync<DocStoreNotFoundException>(() => cartsClient.GetAsync<Cart>("items", "k1", "p"));
        Assert.Null(provider.GetService<DocStoreClient>());
    }

    [Fact]
    public async Task Invalid_options_fail_the_host_at_start_naming_every_problem()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddDocStoreClient(o =>
        {
            o.DefaultDeadline = TimeSpan.FromSeconds(-1);
            o.MaxAttempts = 0;
        });
        builder.Services.AddKeyedDocStoreClient("orders", o => o.SessionTokenCapacity = 0);
        using var host = builder.Build();

        // One OptionsValidationException per client, each naming all of its problems.
        var e = await Assert.ThrowsAsync<AggregateException>(() => host.StartAsync());
        var failures = e.InnerExceptions.Cast<OptionsValidationException>().ToDictionary(f => f.OptionsName);

        Assert.Equal(2, failures.Count);
        var unnamed = failures[Options.DefaultName].Message;
        Assert.Contains("Address", unnamed, StringComparison.Ordinal);
        Assert.Contains("DefaultDeadline", unnamed, StringComparison.Ordinal);
        Assert.Contains("MaxAttempts", unnamed, StringComparison.Ordinal);
        Assert.Contains("SessionTokenCapacity", failures["orders"].Message, StringComparison.Ordinal);
        Assert.Contains("client 'orders'", failures["orders"].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_generic_methods_use_the_options_resolver_and_the_overloads_take_a_JsonTypeInfo()
    {
        using var server = new TestDocStore();
        // Only the source-generated context: no reflection fallback, as under native AOT.
        var client = DocStoreClient.Create(server.Channel, new DocStoreClientOptions { JsonSerializerOptions = new JsonSerializerOptions(SourceGenerated.Default.Options) });

        await client.UpsertAsync("items", new Note("n1", "p", "hello"));
        var read = await client.GetAsync("items", "n1", "p", SourceGenerated.Default.Note);
        Assert.Equal("hello", read.Value.Text);

        // A type the context does not know is refused by name before anything is sent.
        var e = await Assert.ThrowsAsync<NotSupportedException>(() => client.UpsertAsync("items", new Cart("n2", "p", [], 1)));
        Assert.Contains(nameof(Cart), e.Message, StringComparison.Ordinal);
    }
}

public sealed record Note(string Id, string Pk, string Text);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Note))]
internal sealed partial class SourceGenerated : JsonSerializerContext;
