namespace DocStore.Server.Api.Messages;

/// <summary>A request that names one partition in its own <c>partition_key</c> field (empty: none, or every partition).</summary>
internal interface IPartitionRequest : ICollectionRequest
{
    /// <summary>The <c>partition_key</c> field.</summary>
    string PartitionKey { get; }
}
