using DocStore.Client.Internal;

namespace DocStore.Client;

/// <summary>
/// Starts a patch: <c>Patch.Set("/status", "paid").Increment("/total", 5).Remove("/draft")</c>.
/// Paths are JSON Pointers (<c>~0</c> for '~', <c>~1</c> for '/'); they are checked as the patch is
/// built, and a patch holds at most <see cref="PatchOperations.MaxOperations"/> operations.
/// </summary>
public static class Patch
{
    /// <summary>A patch whose first operation sets the value at <paramref name="path"/>, creating the property when absent.</summary>
    /// <typeparam name="TValue">The value's type; it is serialized with the client's JSON options when sent.</typeparam>
    /// <param name="path">A JSON Pointer such as <c>/status</c> or <c>/items/0</c>.</param>
    /// <param name="value">The value to store.</param>
    public static PatchOperations Set<TValue>(string path, TValue value) => PatchOperations.Empty.Set(path, value);

    /// <summary>A patch whose first operation adds a property (replacing one that exists) or inserts into an array (<c>-</c> appends).</summary>
    /// <typeparam name="TValue">The value's type.</typeparam>
    /// <param name="path">A JSON Pointer such as <c>/tags/-</c>.</param>
    /// <param name="value">The value to add.</param>
    public static PatchOperations Add<TValue>(string path, TValue value) => PatchOperations.Empty.Add(path, value);

    /// <summary>A patch whose first operation replaces a value that must already exist.</summary>
    /// <typeparam name="TValue">The value's type.</typeparam>
    /// <param name="path">A JSON Pointer.</param>
    /// <param name="value">The new value.</param>
    public static PatchOperations Replace<TValue>(string path, TValue value) => PatchOperations.Empty.Replace(path, value);

    /// <summary>A patch whose first operation removes a value that must exist.</summary>
    /// <param name="path">A JSON Pointer.</param>
    public static PatchOperations Remove(string path) => PatchOperations.Empty.Remove(path);

    /// <summary>A patch whose first operation adds <paramref name="by"/> to a number, creating the property when absent.</summary>
    /// <param name="path">A JSON Pointer.</param>
    /// <param name="by">A finite number; negative to subtract.</param>
    public static PatchOperations Increment(string path, double by) => PatchOperations.Empty.Increment(path, by);

    /// <summary>A patch whose first operation moves the value at <paramref name="from"/> to <paramref name="path"/>.</summary>
    /// <param name="from">The JSON Pointer of the value to move.</param>
    /// <param name="path">Where to put it, replacing what is there.</param>
    public static PatchOperations Move(string from, string path) => PatchOperations.Empty.Move(from, path);
}

/// <summary>
/// An ordered list of 1 to <see cref="MaxOperations"/> partial-update operations, applied atomically by
/// <see cref="DocStoreClient.PatchAsync{T}(string, string, string, PatchOperations, string?, DocumentFilter?, DocStoreCallOptions?, CancellationToken)"/>.
/// Immutable: each method returns a new patch, so a patch can be kept and reused.
/// </summary>
public sealed class PatchOperations
{
    /// <summary>The most operations one patch may hold, as Cosmos DB allows.</summary>
    public const int MaxOperations = 10;

    internal static readonly PatchOperations Empty = new([]);

    private PatchOperations(PatchStep[] operations)
    {
        Operations = operations;
    }

    /// <summary>How many operations the patch holds.</summary>
    public int Count => Operations.Length;

    internal PatchStep[] Operations { get; }

    /// <summary>Adds an operation that sets the value at <paramref name="path"/>, creating the property when absent.</summary>
    /// <typeparam name="TValue">The value's type; it is serialized with the client's JSON options when sent.</typeparam>
    /// <param name="path">A JSON Pointer.</param>
    /// <param name="value">The value to store.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is not a JSON Pointer, or names <c>/id</c> or a system property.</exception>
    /// <exception cref="InvalidOperationException">The patch already holds <see cref="MaxOperations"/> operations.</exception>
    public PatchOperations Set<TValue>(string path, TValue value) => With(PatchStep.WithValue(PatchKind.Set, Checked(path), value, typeof(TValue)));

    /// <summary>Adds an operation that adds a property (replacing one that exists) or inserts into an array (<c>-</c> appends).</summary>
    /// <typeparam name="TValue">The value's type.</typeparam>
    /// <param name="path">A JSON Pointer.</param>
    /// <param name="value">The value to add.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is not a JSON Pointer, or names <c>/id</c> or a system property.</exception>
    /// <exception cref="InvalidOperationException">The patch already holds <see cref="MaxOperations"/> operations.</exception>
    public PatchOperations Add<TValue>(string path, TValue value) => With(PatchStep.WithValue(PatchKind.Add, Checked(path), value, typeof(TValue)));

    /// <summary>Adds an operation that replaces a value that must already exist.</summary>
    /// <typeparam name="TValue">The value's type.</typeparam>
    /// <param name="path">A JSON Pointer.</param>
    /// <param name="value">The new value.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is not a JSON Pointer, or names <c>/id</c> or a system property.</exception>
    /// <exception cref="InvalidOperationException">The patch already holds <see cref="MaxOperations"/> operations.</exception>
    public PatchOperations Replace<TValue>(string path, TValue value) => With(PatchStep.WithValue(PatchKind.Replace, Checked(path), value, typeof(TValue)));

    /// <summary>Adds an operation that removes a value that must exist.</summary>
    /// <param name="path">A JSON Pointer.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is not a JSON Pointer, or names <c>/id</c> or a system property.</exception>
    /// <exception cref="InvalidOperationException">The patch already holds <see cref="MaxOperations"/> operations.</exception>
    public PatchOperations Remove(string path) => With(new PatchStep(PatchKind.Remove, Checked(path)));

    /// <summary>Adds an operation that adds <paramref name="by"/> to a number, creating the property when absent.</summary>
    /// <param name="path">A JSON Pointer.</param>
    /// <param name="by">A finite number; negative to subtract.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is not a JSON Pointer, or names <c>/id</c> or a system property.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="by"/> is NaN or infinite.</exception>
    /// <exception cref="InvalidOperationException">The patch already holds <see cref="MaxOperations"/> operations.</exception>
    public PatchOperations Increment(string path, double by)
    {
        var checkedPath = Checked(path);
        if (!double.IsFinite(by))
        {
            throw new ArgumentOutOfRangeException(nameof(by), by, "An increment must be a finite number.");
        }

        return With(new PatchStep(PatchKind.Increment, checkedPath, By: by));
    }

    /// <summary>Adds an operation that moves the value at <paramref name="from"/> to <paramref name="path"/>, replacing what is there.</summary>
    /// <param name="from">The JSON Pointer of the value to move.</param>
    /// <param name="path">Where to put it.</param>
    /// <exception cref="ArgumentException">A path is not a JSON Pointer, names <c>/id</c> or a system property, or <paramref name="path"/> is inside <paramref name="from"/>.</exception>
    /// <exception cref="InvalidOperationException">The patch already holds <see cref="MaxOperations"/> operations.</exception>
    public PatchOperations Move(string from, string path)
    {
        var checkedFrom = Checked(from);
        var checkedPath = Checked(path);
        if (checkedPath.Length > checkedFrom.Length && checkedPath.StartsWith(checkedFrom + "/", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{checkedPath}' is inside '{checkedFrom}'; a value cannot be moved into itself.", nameof(path));
        }

        return With(new PatchStep(PatchKind.Move, checkedPath, From: checkedFrom));
    }

    /// <summary>The operations, one per line, for diagnostics.</summary>
    public override string ToString() => string.Join(Environment.NewLine, Operations.Select(o => o.ToString()));

    private PatchOperations With(PatchStep operation)
    {
        if (Operations.Length >= MaxOperations)
        {
            throw new InvalidOperationException($"A patch holds at most {MaxOperations} operations; split the change into several patches.");
        }

        return new PatchOperations([.. Operations, operation]);
    }

    private static string Checked(string path, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(path))] string? name = null)
    {
        ArgumentNullException.ThrowIfNull(path, name);
        if (JsonPointerSyntax.Check(path) is { } problem)
        {
            throw new ArgumentException(problem, name);
        }

        return path;
    }
}
