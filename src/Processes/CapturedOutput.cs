using System.Text;

namespace DocStore.Processes;

/// <summary>The lines a child process printed, collected from its output events (any thread), for failure messages.</summary>
public sealed class CapturedOutput
{
    private readonly StringBuilder _lines = new();

    /// <summary>Adds one line; null (the end of a stream) is ignored.</summary>
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

    /// <summary>Every line so far.</summary>
    public override string ToString()
    {
        lock (_lines)
        {
            return _lines.ToString();
        }
    }
}
