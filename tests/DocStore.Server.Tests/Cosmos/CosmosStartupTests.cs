extern alias server;

using DocStore.Server.Tests.Infrastructure;

namespace DocStore.Server.Tests.Cosmos;

/// <summary>Start-up checks the containers against the configuration and stops with a message naming the key.</summary>
[Collection(CosmosPeerGroup.Name)]
public sealed class CosmosStartupTests(CosmosPeerFixture peer)
{
    [Fact]
    public async Task A_container_partitioned_by_another_path_stops_start_up_naming_the_key()
    {
        var database = "mismatch-" + Guid.NewGuid().ToString("N")[..8];
        var created = (await peer.Direct.CreateDatabaseAsync(database)).Database;
        await created.CreateContainerAsync("items", "/other");
        await created.CreateContainerAsync("orders", "/customer/id");
        var settings = peer.Peer.ServerSettings(database);
        settings["DocStore:Cosmos:CreateIfNotExists"] = "false";

        var e = Assert.ThrowsAny<Exception>(() => InProcessServer.WithSettings(settings).Dispose());

        var message = Flatten(e);
        Assert.Contains("DocStore:Collections:items:PartitionKeyPath is '/pk'", message, StringComparison.Ordinal);
        Assert.Contains("'/other'", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_container_stops_start_up_unless_CreateIfNotExists()
    {
        var database = "missing-" + Guid.NewGuid().ToString("N")[..8];
        await peer.Direct.CreateDatabaseAsync(database);
        var settings = peer.Peer.ServerSettings(database);
        settings["DocStore:Cosmos:CreateIfNotExists"] = "false";

        var e = Assert.ThrowsAny<Exception>(() => InProcessServer.WithSettings(settings).Dispose());

        var message = Flatten(e);
        Assert.Contains("DocStore:Collections:items: container 'items' does not exist", message, StringComparison.Ordinal);
        Assert.Contains("CreateIfNotExists", message, StringComparison.Ordinal);

        settings["DocStore:Cosmos:CreateIfNotExists"] = "true";
        using var server = InProcessServer.WithSettings(settings);
        var written = await server.Client.UpsertAsync(new V1.UpsertRequest { Collection = "orders", Document = Json.Struct("""{"id":"o-1","customer":{"id":"c-1"}}""") });
        Assert.Equal("c-1", written.Document.PartitionKey);
    }

    [Fact]
    public void AcceptAnyServerCertificate_is_refused_for_an_endpoint_that_is_not_loopback()
    {
        var settings = peer.Peer.ServerSettings("any");
        settings["DocStore:Cosmos:Endpoint"] = "https://myaccount.documents.azure.com:443/";

        var e = Assert.ThrowsAny<Exception>(() => InProcessServer.WithSettings(settings).Dispose());

        Assert.Contains("DocStore:Cosmos:AcceptAnyServerCertificate", Flatten(e), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_recreated_container_gets_a_new_token_scope()
    {
        var database = "recreated-" + Guid.NewGuid().ToString("N")[..8];
        var settings = peer.Peer.ServerSettings(database);
        string before;
        using (var first = InProcessServer.WithSettings(settings))
        {
            before = Scope(first);
        }

        var container = peer.Direct.GetContainer(database, "items");
        await container.DeleteContainerAsync();
        await peer.Direct.GetDatabase(database).CreateContainerAsync("items", "/pk");

        using var second = InProcessServer.WithSettings(settings);
        var after = Scope(second);

        Assert.StartsWith($"cosmos/{database}/items/", before, StringComparison.Ordinal);
        Assert.StartsWith($"cosmos/{database}/items/", after, StringComparison.Ordinal);
        Assert.NotEqual(before, after);
    }

    private static string Scope(InProcessServer server)
    {
        var store = (server::DocStore.Server.Storage.IStoreIdentity)server.Services.GetService(typeof(server::DocStore.Server.Storage.IStoreIdentity))!;
        var registry = (server::DocStore.Server.Storage.CollectionRegistry)server.Services.GetService(typeof(server::DocStore.Server.Storage.CollectionRegistry))!;
        Assert.True(registry.TryGet("items", out var items));
        return store.TokenScope(items);
    }

    private static string Flatten(Exception e)
    {
        var messages = new List<string>();
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            messages.Add(current.Message);
        }

        return string.Join(" | ", messages);
    }
}
