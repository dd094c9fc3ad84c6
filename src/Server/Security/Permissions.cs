namespace DocStore.Server.Security;

/// <summary>
/// The actions a caller may be allowed on a collection, modelled on Cosmos DB's data-plane actions, and the two
/// words that stand for several: <c>write</c> and <c>*</c>.
/// </summary>
internal static class DocStoreActions
{
    public const string Read = "read";
    public const string Query = "query";
    public const string Changes = "changes";
    public const string Create = "create";
    public const string Replace = "replace";
    public const string Upsert = "upsert";
    public const string Patch = "patch";
    public const string Delete = "delete";

    /// <summary>Stands for create, replace, upsert, patch and delete.</summary>
    public const string Write = "write";

    /// <summary>Stands for every action; as a collection, for every collection.</summary>
    public const string Any = "*";

    /// <summary>The actions that change documents: what <see cref="Write"/> covers, and what the audit trail records.</summary>
    public static readonly IReadOnlySet<string> Writes = new HashSet<string>(StringComparer.Ordinal) { Create, Replace, Upsert, Patch, Delete };

    /// <summary>Every word a permission or grant may use as its action.</summary>
    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal) { Read, Query, Changes, Create, Replace, Upsert, Patch, Delete, Write, Any };
}

/// <summary>One permission: an action (or <c>write</c>, <c>*</c>) on a collection (or <c>*</c>).</summary>
internal readonly record struct Permission(string Collection, string Action)
{
    /// <summary>
    /// Reads a roles-claim value such as <c>items.read</c>, <c>orders.write</c> or <c>*.read</c>. The action is what follows
    /// the last dot, so collection names may contain dots. False for a value that names no known action.
    /// </summary>
    public static bool TryParse(string value, out Permission permission)
    {
        var dot = value.LastIndexOf('.');
        permission = default;
        if (dot <= 0 || dot == value.Length - 1 || !DocStoreActions.Known.Contains(value[(dot + 1)..]))
        {
            return false;
        }

        permission = new Permission(value[..dot], value[(dot + 1)..]);
        return true;
    }

    public bool Allows(string collection, string action) =>
        (Collection == DocStoreActions.Any || string.Equals(Collection, collection, StringComparison.Ordinal))
        && (Action == DocStoreActions.Any || string.Equals(Action, action, StringComparison.Ordinal)
            || (Action == DocStoreActions.Write && DocStoreActions.Writes.Contains(action)));
}

/// <summary>What one caller may do: the union of its roles' and its grants' permissions.</summary>
internal sealed class PermissionSet(IReadOnlyList<Permission> permissions)
{
    /// <summary>Everything: the caller of a server without authentication.</summary>
    public static readonly PermissionSet All = new([new Permission(DocStoreActions.Any, DocStoreActions.Any)]);

    public IReadOnlyList<Permission> Permissions => permissions;

    public bool Allows(string collection, string action)
    {
        foreach (var permission in permissions)
        {
            if (permission.Allows(collection, action))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The permissions of a caller named <paramref name="principals"/> with roles <paramref name="roles"/>, plus its grants.</summary>
    public static PermissionSet For(IEnumerable<string> principals, IEnumerable<string> roles, IEnumerable<GrantOptions> grants)
    {
        var result = new List<Permission>();
        foreach (var role in roles)
        {
            if (Permission.TryParse(role, out var permission))
            {
                result.Add(permission);
            }
        }

        var names = principals.ToHashSet(StringComparer.Ordinal);
        foreach (var grant in grants)
        {
            if (grant.Principal is { } principal && names.Contains(principal))
            {
                result.AddRange(grant.Collections.SelectMany(c => grant.Actions.Select(a => new Permission(c, a))));
            }
        }

        return new PermissionSet(result);
    }
}
