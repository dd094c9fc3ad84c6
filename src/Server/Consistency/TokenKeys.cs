using System.Security.Cryptography;
using System.Text;

namespace DocStore.Server.Consistency;

/// <summary>
/// Redis key names for shared session tokens: <c>docstore:st:{scope}:{partition}</c>. The scope (the
/// store's identity for a collection's storage) is shortened to a 72-bit hash. The partition key never
/// appears: partition keys are often user ids or e-mail addresses, so the name carries a 144-bit
/// HMAC-SHA256 of it under a key of this deployment (<see cref="KeyNameKey"/>). Every pod of a deployment
/// derives the same key, so every pod computes the same name; without the key a name cannot be
/// reversed by hashing guesses. Every name stays under 60 bytes whatever the caller's key is.
/// </summary>
internal sealed class TokenKeys(KeyNameKey key)
{
    /// <summary>Every token key starts with this.</summary>
    public const string Prefix = "docstore:st:";

    /// <summary>How many bytes of the partition key's HMAC a name keeps.</summary>
    private const int PartitionHashBytes = 18;

    /// <summary>Where this deployment's key came from.</summary>
    public KeyNameSource Source => key.Source;

    /// <summary>The short form of a scope that keys use; compute it once per scope.</summary>
    public static string ScopeHash(string scope)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(scope), digest);
        return Base64Url(digest[..9]);
    }

    /// <summary>The key for a partition, given its scope's <see cref="ScopeHash"/>.</summary>
    public string For(string scopeHash, string partitionKey)
    {
        Span<byte> digest = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key.Bytes, Encoding.UTF8.GetBytes(partitionKey), digest);
        return string.Concat(Prefix, scopeHash, ":", Base64Url(digest[..PartitionHashBytes]));
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>Where the key that hashes partition keys into Redis key names came from.</summary>
internal enum KeyNameSource
{
    /// <summary><c>DocStore:SessionTokens:KeyNameSecret</c>.</summary>
    Setting,

    /// <summary>The password in <c>DocStore:Redis:Configuration</c>, which every pod of a deployment shares.</summary>
    RedisPassword,

    /// <summary>Neither was given: a fixed key, so names are hashed but can be reversed by guessing.</summary>
    Fixed,
}

/// <summary>The HMAC key of Redis key names, derived with HKDF-SHA256 from this deployment's secret.</summary>
internal sealed class KeyNameKey
{
    private KeyNameKey(byte[] bytes, KeyNameSource source) => (Bytes, Source) = (bytes, source);

    /// <summary>The 32-byte key.</summary>
    public byte[] Bytes { get; }

    /// <summary>Where the key came from.</summary>
    public KeyNameSource Source { get; }

    /// <summary>
    /// The key of this deployment: from <c>DocStore:SessionTokens:KeyNameSecret</c> when set, else from the
    /// Redis password, else a fixed one. The same settings give the same key in every process.
    /// </summary>
    public static KeyNameKey From(SessionTokenOptions tokens, RedisOptions redis)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(redis);
        if (!string.IsNullOrEmpty(tokens.KeyNameSecret))
        {
            return new(Derive(tokens.KeyNameSecret, "setting"), KeyNameSource.Setting);
        }

        var password = string.IsNullOrWhiteSpace(redis.Configuration) ? null : StackExchange.Redis.ConfigurationOptions.Parse(redis.Configuration).Password;
        return string.IsNullOrEmpty(password)
            ? new(Derive("docstore", "fixed"), KeyNameSource.Fixed)
            : new(Derive(password, "redis-password"), KeyNameSource.RedisPassword);
    }

    private static byte[] Derive(string secret, string label) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, salt: [], info: Encoding.UTF8.GetBytes("docstore session-token key names/" + label));
}
