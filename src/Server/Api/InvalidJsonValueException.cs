namespace DocStore.Server.Api;

/// <summary>A value in a request that has no JSON form; <see cref="Path"/> says where, as <c>a.b[2]</c>.</summary>
internal sealed class InvalidJsonValueException(string path, string reason) : Exception(reason)
{
    public string Path { get; } = path;

    public string Reason { get; } = reason;

    public InvalidJsonValueException Under(string property) =>
        new(Path.Length == 0 || Path[0] == '[' ? property + Path : property + "." + Path, Reason);

    public InvalidJsonValueException Under(int index) =>
        new($"[{index}]" + (Path.Length == 0 || Path[0] == '[' ? Path : "." + Path), Reason);
}
