using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace PhotoStudio.Tests.Support;

/// <summary>Counts the SQL commands EF runs against one database, from any DbContext in the process (for the no-N+1 tests).</summary>
public sealed class CommandCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly string database;
    private readonly List<IDisposable> subscriptions = [];
    private int count;

    public CommandCounter(string database)
    {
        this.database = database;
        subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
    }

    public int Count => Volatile.Read(ref count);

    public void OnNext(DiagnosticListener listener)
    {
        if (listener.Name == DbLoggerCategory.Name) lock (subscriptions) subscriptions.Add(listener.Subscribe(this));
    }

    public void OnNext(KeyValuePair<string, object?> e)
    {
        if (e.Key == RelationalEventId.CommandExecuted.Name && e.Value is CommandExecutedEventData data && data.Command.Connection?.Database == database)
            Interlocked.Increment(ref count);
    }

    public void OnCompleted() { }
    public void OnError(Exception error) { }

    public void Dispose()
    {
        lock (subscriptions) subscriptions.ForEach(s => s.Dispose());
    }
}
