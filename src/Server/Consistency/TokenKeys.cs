using System.Security.Cryptography;
using System.Text;

namespace DocStore.Server.Consistency;

/// <summary>
/// Redis keys for shared session tokens: <c>docstore:st:{scope}:{partition key}</c>. The scope (the
/// store's identity for a collection's storage) is shortened to a 72-bit hash, and a partition key
/// longer than <see cref="MaxPlainPartitionKeyBytes"/> UTF-8 bytes (or starting with <c>#</c>, the mark
/// of a hashed key) is replaced by its SHA-256, so a key
/// stays under 100 bytes whatever the caller's key is.
/// </summary>
internal static class TokenKeys
{
    /// <summary>Every token key starts with this.</summary>
    public const string Prefix = "docstore:st:";

    /// <summary>Partition keys up to this many UTF-8 bytes appear in the key as they are.</summary>
    public const int MaxPlainPartitionKeyBytes = 64;

    /// <summary>The short form of a scope that keys use; compute it once per scope.</summary>
    public static string ScopeHash(string scope) => Hash(scope, 9);

    /// <summary>The key for a partition, given its scope's <see cref="ScopeHash"/>.</summary>
    public static string For(string scopeHash, string partitionKey) =>
        !partitionKey.StartsWith('#') && Encoding.UTF8.GetByteCount(partitionKey) <= MaxPlainPartitionKeyBytes
            ? string.Concat(Prefix, scopeHash, ":", partitionKey)
            : string.Concat(Prefix, scopeHash, ":#", Hash(partitionKey, 32));

    private static string Hash(string text, int bytes)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), digest);
        return Convert.ToBase64String(digest[..bytes]).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
