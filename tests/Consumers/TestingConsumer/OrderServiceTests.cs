using DocStore.Client;
using DocStore.Testing;

namespace TestingConsumer;

public sealed class OrderServiceTests : IAsyncLifetime
{
    private DocStoreTestHost _docStore = null!;

    public async Task InitializeAsync() =>
        _docStore = await DocStoreTestHost.StartAsync(o => o.Collection("orders", "/customerId"));

    public async Task DisposeAsync() => await _docStore.DisposeAsync();

    [Fact]
    public async Task A_placed_order_is_found_with_its_items()
    {
        var orders = new OrderService(_docStore.Client);

        var placed = await orders.PlaceAsync("alice", "book");
        Assert.True(await orders.AddItemAsync("alice", placed.Id, "pen"));

        var found = await orders.FindAsync("alice", placed.Id);
        Assert.Equal(["book", "pen"], found!.Items);
        Assert.Null(await orders.FindAsync("bob", placed.Id));
    }

    [Fact]
    public async Task A_closed_order_takes_no_more_items()
    {
        var orders = new OrderService(_docStore.Client);
        var placed = await orders.PlaceAsync("alice", "book");
        await orders.CloseAsync("alice", placed.Id);

        Assert.False(await orders.AddItemAsync("alice", placed.Id, "pen"));
        Assert.Equal(["book"], (await orders.FindAsync("alice", placed.Id))!.Items);
    }

    [Fact]
    public async Task The_host_deletes_its_file_on_dispose()
    {
        var host = await DocStoreTestHost.StartAsync();
        await host.Client.UpsertAsync("items", new { id = "a", pk = "p" });
        Assert.True(File.Exists(host.DatabasePath));

        await host.DisposeAsync();

        Assert.False(Directory.Exists(Path.GetDirectoryName(host.DatabasePath)));
    }

    [Fact]
    public async Task Under_replica_lag_another_instance_reads_stale_unless_the_session_token_is_carried()
    {
        await using var pods = await DocStoreTestHost.StartAsync(o =>
        {
            o.Collection("orders", "/customerId");
            o.Instances = 2;
            o.ReplicaLag = TimeSpan.FromSeconds(30);
        });
        var writer = pods.CreateClient(instance: 0);
        var placed = await new OrderService(writer).PlaceAsync("alice", "book");
        await new OrderService(writer).CloseAsync("alice", placed.Id);

        // The second instance never saw the writes: without a token, a lagging replica answers.
        var reader = pods.CreateClient(instance: 1);
        Assert.Null(await new OrderService(reader).FindAsync("alice", placed.Id));

        // Carrying the writer's session token, the same read sees the last write.
        var carried = new DocStoreCallOptions { SessionToken = writer.GetSessionToken("orders", "alice") };
        Assert.Equal("closed", (await reader.GetAsync<Order>("orders", placed.Id, "alice", carried)).Value.Status);
    }

    [Fact]
    public async Task An_unknown_setting_value_is_refused_at_start()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => DocStoreTestHost.StartAsync(o => o.ReplicaLag = TimeSpan.FromHours(1)));
        Assert.Contains("ReplicaLag", e.Message, StringComparison.Ordinal);
    }
}
