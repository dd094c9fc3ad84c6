namespace DocStore.Server.Storage;

/// <summary>The store's readiness, as the readiness probe asks for it.</summary>
internal interface IStoreProbe
{
    /// <summary>Checks that the store can be reached.</summary>
    Task<bool> IsReachableAsync(CancellationToken cancellationToken);
}
