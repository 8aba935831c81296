using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace PhotoStudio.Tests.Support;

/// <summary>Counts the SQL commands EF runs against one database, from any DbContext in the process (for the no-N+1 tests).</summary>
public sealed class CommandCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly string database;
    private readonly string? containing;
    private readonly List<IDisposable> subscriptions = [];
    private readonly List<string> texts = [];
    private int count;

    /// <param name="containing">Count only the commands whose SQL contains this text (a table name, say).</param>
    public CommandCounter(string database, string? containing = null)
    {
        this.database = database;
        this.containing = containing;
        subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
    }

    public int Count => Volatile.Read(ref count);

    /// <summary>The counted commands' SQL, in the order they ran: what a failing count message shows.</summary>
    public IReadOnlyList<string> Texts
    {
        get { lock (texts) return [.. texts]; }
    }

    public void OnNext(DiagnosticListener listener)
    {
        if (listener.Name == DbLoggerCategory.Name) lock (subscriptions) subscriptions.Add(listener.Subscribe(this));
    }

    public void OnNext(KeyValuePair<string, object?> e)
    {
        if (e.Key == RelationalEventId.CommandExecuted.Name && e.Value is CommandExecutedEventData data && data.Command.Connection?.Database == database
            && (containing is null || data.Command.CommandText.Contains(containing, StringComparison.Ordinal)))
        {
            Interlocked.Increment(ref count);
            lock (texts) texts.Add(data.Command.CommandText);
        }
    }

    public void OnCompleted() { }
    public void OnError(Exception error) { }

    public void Dispose()
    {
        lock (subscriptions) subscriptions.ForEach(s => s.Dispose());
    }
}
