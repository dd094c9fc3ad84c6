using System.Text;

namespace DocStore.Server.Tests.Infrastructure;

/// <summary>The lines a child process printed, collected from its output events (any thread), for failure messages.</summary>
public sealed class CapturedOutput
{
    private readonly StringBuilder _lines = new();

    public void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.AppendLine(line);
        }
    }

    public override string ToString()
    {
        lock (_lines)
        {
            return _lines.ToString();
        }
    }
}
