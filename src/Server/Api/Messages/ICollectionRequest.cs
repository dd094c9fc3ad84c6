namespace DocStore.Server.Api.Messages;

/// <summary>
/// A request of the contract that names the collection it acts on. The generated messages implement it in
/// <c>RequestRoles.cs</c>, so the authorization rules and the audit trail read the field as a property, not by
/// its name in the descriptor.
/// </summary>
internal interface ICollectionRequest
{
    /// <summary>The <c>collection</c> field.</summary>
    string Collection { get; }
}
