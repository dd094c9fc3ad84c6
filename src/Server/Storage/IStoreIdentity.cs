namespace DocStore.Server.Storage;

/// <summary>Which storage a collection lives in, as the shared session tokens are keyed.</summary>
internal interface IStoreIdentity
{
    /// <summary>
    /// A stable identity for the storage behind <paramref name="collection"/>, used to key shared session tokens. It
    /// must change when that storage is recreated (Cosmos: the container's resource id), so that tokens issued by the
    /// old one are never applied to the new one.
    /// </summary>
    string TokenScope(CollectionDefinition collection);
}
