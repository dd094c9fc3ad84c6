namespace DocStore.Client;

/// <summary>The form in which a <see cref="DocStoreClient"/> sends and receives document bodies.</summary>
public enum DocumentBodyFormat
{
    /// <summary>UTF-8 JSON bytes, the stored form: no conversion on the server or in the client.</summary>
    Json,

    /// <summary><c>google.protobuf.Struct</c>, converted from and to JSON on both sides.</summary>
    Struct,
}
