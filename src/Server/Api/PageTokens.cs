using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using DocStore.V1;
using Google.Protobuf;

namespace DocStore.Server.Api;

/// <summary>
/// Opaque, checked page tokens and change-feed continuations. A token is a prefix and base64url of a
/// 16-byte binding (a hash of the request fields it belongs to) followed by the store's own
/// continuation. A token that does not decode, or whose binding is not the request's, is refused, so a
/// token is never applied to another query, collection or partition.
/// </summary>
internal static class PageTokens
{
    /// <summary>The prefix of a query's page token.</summary>
    public const string QueryPrefix = "q1.";

    /// <summary>The prefix of a change-feed continuation.</summary>
    public const string ChangesPrefix = "c1.";

    private const int BindingBytes = 16;

    /// <summary>The binding of a query: every field but the page token, the session token and the body format.</summary>
    public static byte[] QueryBinding(QueryRequest request)
    {
        var fields = request.Clone();
        fields.PageToken = "";
        fields.SessionToken = "";
        fields.BodyFormat = BodyFormat.Unspecified;
        return Hash(fields.ToByteArray());
    }

    /// <summary>The binding of a change-feed read: the collection and partition (ReadChanges and WatchChanges share it).</summary>
    public static byte[] ChangesBinding(string collection, string partitionKey) =>
        Hash(Encoding.UTF8.GetBytes($"{collection.Length}:{collection}|{partitionKey}"));

    public static string Seal(string prefix, byte[] binding, string inner)
    {
        var bytes = new byte[BindingBytes + Encoding.UTF8.GetByteCount(inner)];
        binding.CopyTo(bytes, 0);
        Encoding.UTF8.GetBytes(inner, bytes.AsSpan(BindingBytes));
        return prefix + Base64Url.EncodeToString(bytes);
    }

    /// <summary>The store's continuation inside <paramref name="token"/>, or <see langword="null"/> when the token is not one for this request.</summary>
    public static string? Open(string token, string prefix, byte[] binding)
    {
        if (!token.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(token.AsSpan(prefix.Length));
        }
        catch (FormatException)
        {
            return null;
        }

        if (bytes.Length < BindingBytes || !CryptographicOperations.FixedTimeEquals(bytes.AsSpan(0, BindingBytes), binding))
        {
            return null;
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, BindingBytes, bytes.Length - BindingBytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static byte[] Hash(byte[] fields) => SHA256.HashData(fields)[..BindingBytes];
}
