namespace DocStore.Client.Internal;

internal enum PatchKind
{
    Set,
    Add,
    Replace,
    Remove,
    Increment,
    Move,
}

/// <summary>One operation of a patch; a value is kept with its static type and serialized when the patch is sent.</summary>
internal sealed record PatchStep(PatchKind Kind, string Path, object? Value = null, Type? ValueType = null, double By = 0, string? From = null)
{
    public static PatchStep WithValue(PatchKind kind, string path, object? value, Type valueType) => new(kind, path, value, valueType);

    public override string ToString() => Kind switch
    {
        PatchKind.Increment => $"increment {Path} by {By}",
        PatchKind.Move => $"move {From} to {Path}",
        PatchKind.Remove => $"remove {Path}",
        _ => $"{Kind.ToString().ToLowerInvariant()} {Path}",
    };
}
