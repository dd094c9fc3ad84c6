namespace DocStore.Server.Tests.Infrastructure;

/// <summary>
/// The Redis ACL that docs/redis.md gives for DocStore's user, word for word (a test holds the page to it): the
/// token keys only, no channels, and the commands DocStore sends, directly or from its advance script.
/// </summary>
public static class RedisAcl
{
    /// <summary>The command rules, as docs/redis.md prints them.</summary>
    public const string DocStoreCommands =
        "-@all +get +set +pexpire +del +eval +evalsha +script|load +hello +auth +ping +echo +client|setname +client|id +cluster|nodes +asking";

    /// <summary>DocStore's commands (the ones it sends for tokens, not the connection's hand-shake), for checking the ACL log.</summary>
    public static readonly string[] TokenCommands = ["get", "set", "pexpire", "del", "eval", "evalsha", "script|load"];

    /// <summary>The user directive (redis.conf's <c>user</c>, without the word) for <paramref name="name"/>.</summary>
    public static string User(string name, string password) => $"{name} on >{password} ~docstore:* resetchannels {DocStoreCommands}";
}
