namespace DocStore.Server.Api.Messages;

/// <summary>A request that names one document by its own <c>id</c> and <c>partition_key</c> fields.</summary>
internal interface IKeyedRequest : IPartitionRequest
{
    /// <summary>The <c>id</c> field.</summary>
    string Id { get; }
}
