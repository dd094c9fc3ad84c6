using DocStore.Client;

namespace TestingConsumer;

public sealed record Order(string Id, string CustomerId, List<string> Items, string Status);

/// <summary>The service under test: it keeps orders in DocStore.</summary>
public sealed class OrderService(DocStoreClient docStore)
{
    public async Task<Order> PlaceAsync(string customerId, params string[] items)
    {
        var order = new Order(Guid.NewGuid().ToString("N"), customerId, [.. items], "open");
        return (await docStore.CreateAsync("orders", order)).Value;
    }

    /// <summary>Adds an item to an open order; false when the order is closed.</summary>
    public async Task<bool> AddItemAsync(string customerId, string orderId, string item)
    {
        try
        {
            await docStore.PatchAsync<Order>("orders", orderId, customerId, Patch.Add("/items/-", item), condition: DocumentFilter.Equal("/status", "open"));
            return true;
        }
        catch (DocStoreConditionNotMetException)
        {
            return false;
        }
    }

    public async Task CloseAsync(string customerId, string orderId) =>
        await docStore.PatchAsync<Order>("orders", orderId, customerId, Patch.Set("/status", "closed"));

    /// <summary>The order, or null when there is none.</summary>
    public async Task<Order?> FindAsync(string customerId, string orderId)
    {
        try
        {
            return (await docStore.GetAsync<Order>("orders", orderId, customerId)).Value;
        }
        catch (DocStoreNotFoundException)
        {
            return null;
        }
    }
}
