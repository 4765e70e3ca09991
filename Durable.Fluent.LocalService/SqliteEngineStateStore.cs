using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Durable.Fluent.Testing;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Wire;
using Microsoft.Data.Sqlite;

namespace Durable.Fluent.LocalService;

/// <summary>
/// Keeps the local engine's executions in a SQLite file (WAL mode): tables <c>executions</c>, <c>operations</c>,
/// <c>history_events</c> and <c>timers</c>. Each save is one transaction that upserts the execution row and the operations
/// that changed, appends the history events not yet stored, and rewrites the execution's timer rows (their due times), so a
/// restarted service knows what to fire. Timestamps are stored as UTC ticks, so a reload reproduces them exactly.
/// <para>
/// Cost at scale: every statement is a look-up in an index (by ARN, by function and name, by callback id, by creation
/// order, by purge time, the open executions), so saving, starting and loading an execution do not depend on how many are
/// stored. Saves of different executions may arrive at once (the engine locks per execution): they are written on one
/// writer connection, and the saves that queue up while a commit is in progress are committed together in the next
/// transaction (group commit on one writer thread, see <see cref="SaveAsync"/>: one sync to disk for all of them; a batch that
/// fails is retried one save per transaction so one bad save fails alone; closing the store still commits the saves queued
/// before it). Look-ups and loads use a second connection, so they do not wait for a commit (WAL readers see the last
/// committed state).
/// </para>
/// </summary>
internal sealed class SqliteEngineStateStore : IEngineStateStore, IDisposable
{
    private const int SchemaVersion = 1;

    /// <summary>
    /// How many times the writer yields its core before it takes the queue (stopping early when no other thread is ready to
    /// run): callers that are about to save get to queue and share the transaction (and its sync) instead of waiting for the
    /// next one. A count of yields, not a time, so it costs nothing when the machine is idle.
    /// </summary>
    private const int LingerYields = 2;

    private static readonly JsonSerializerOptions Json = WireJson.Envelope;
    private readonly SqliteConnection _connection;
    private readonly SqliteConnection _reader;
    private readonly object _writeGate = new();
    private readonly object _readGate = new();
    private readonly object _queueGate = new();
    private List<SaveRequest> _queue = new();
    private readonly bool _syncEachCommit;
    private readonly bool _syncLog;
    private readonly object _syncGate = new();
    private List<List<SaveRequest>> _committed = new();
    private Thread? _writer;
    private bool _writerWaiting;
    private Thread? _syncer;
    private bool _syncerBusy;
    private bool _callerCommitting;
    private bool _writerDone;
    private readonly object _logGate = new();
    private FileStream? _log;
    private bool _closed;
    private long _batches;
    private long _logSyncs;
    private WriteStatements? _write;
    private SqliteCommand? _findByName;
    private SqliteCommand? _findCallback;
    private SqliteCommand? _exists;

    /// <summary>Opens (or creates) the store.</summary>
    /// <param name="path">The database file.</param>
    /// <param name="legacyRetentionDays">
    /// The retention period given to executions stored by a version without retention (their rows get it once, when the
    /// file is upgraded); null leaves them without one.
    /// </param>
    /// <param name="syncEachCommit">
    /// <see langword="true"/>: every commit is synced to disk before its saves are answered (the store syncs the
    /// write-ahead log itself, overlapping the sync with the next commit; see <see cref="SyncLoop"/>);
    /// <see langword="false"/>: the log is synced at checkpoints only (a killed process loses nothing; a power loss may lose
    /// the last commits, never the file's consistency). SQLite runs with <c>synchronous=NORMAL</c> in both cases.
    /// </param>
    public SqliteEngineStateStore(string path, int? legacyRetentionDays = 14, bool syncEachCommit = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) is { } dir)
        {
            Directory.CreateDirectory(dir);
        }

        FilePath = full;
        if (File.Exists(full) && new FileInfo(full).Length == 0 && !(File.Exists(full + "-wal") && new FileInfo(full + "-wal").Length > 0))
        {
            // SQLite would take an empty file for a new database; a store this service wrote is never 0 bytes.
            throw new LocalStoreException(full, null,
                $"The local durable service database '{full}' is empty (0 bytes), so its executions are gone (truncated or replaced). It was not opened. To start a new store, delete the file or choose another path.");
        }

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString();
        _connection = new SqliteConnection(connectionString);
        _reader = new SqliteConnection(connectionString);
        try
        {
            _connection.Open();
            bool wal;
            using (var mode = Command("PRAGMA journal_mode=WAL;"))
            {
                wal = string.Equals(mode.ExecuteScalar() as string, "wal", StringComparison.OrdinalIgnoreCase);
            }

            // In WAL mode SQLite runs NORMAL either way (it does not sync the log at commit); with syncEachCommit this store
            // syncs the log itself after each commit and only then answers the commit's saves (see SyncLoop). Where the
            // file system refused WAL mode, SQLite syncs each commit itself (FULL).
            _syncEachCommit = syncEachCommit;
            _syncLog = syncEachCommit && wal;
            Exec(syncEachCommit && !wal ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");
            Exec("PRAGMA busy_timeout=5000;");
            CreateSchema(legacyRetentionDays);
            _reader.Open();
            using var busy = _reader.CreateCommand();
            busy.CommandText = "PRAGMA busy_timeout=5000;";
            busy.ExecuteNonQuery();
        }
        catch (SqliteException ex)
        {
            _reader.Dispose();
            _connection.Dispose();
            throw FileError(ex);
        }
        catch (LocalStoreException)
        {
            _reader.Dispose();
            _connection.Dispose();
            throw;
        }
    }

    /// <summary>The database file.</summary>
    public string FilePath { get; }

    /// <summary>
    /// Whether each commit is synced to disk before its saves are answered (this store syncs the log itself, after the
    /// commit); otherwise the log is synced at checkpoints only.
    /// </summary>
    internal bool SyncEachCommit => _syncEachCommit;

    /// <summary>The writer connection's <c>PRAGMA synchronous</c>: 1 (NORMAL) in WAL mode, whether or not the store syncs each commit itself.</summary>
    internal long Synchronous
    {
        get
        {
            lock (_writeGate)
            {
                using var cmd = Command("PRAGMA synchronous");
                return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> while no transaction is in progress and none can begin (the write lock held): every
    /// save acknowledged before the call is in the file, none is half-written. Lets a test copy the files as a killed
    /// process leaves them.
    /// </summary>
    internal void WhileNoCommit(Action action)
    {
        lock (_writeGate)
        {
            action();
        }
    }

    /// <exception cref="LocalStoreException">The file is damaged.</exception>
    public long MaxSeq()
    {
        lock (_readGate)
        {
            try
            {
                using var cmd = Query("SELECT COALESCE(MAX(seq), 0) FROM executions");
                return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
            }
            catch (SqliteException ex)
            {
                throw FileError(ex);
            }
        }
    }

    /// <exception cref="LocalStoreException">The file is damaged.</exception>
    public IReadOnlyList<string> OpenArns()
    {
        lock (_readGate)
        {
            try
            {
                // An execution that has not ended has no end time (the partial index executions_open holds exactly those).
                using var cmd = Query("SELECT arn FROM executions WHERE end_ticks IS NULL ORDER BY seq");
                return Strings(cmd);
            }
            catch (SqliteException ex)
            {
                throw FileError(ex);
            }
        }
    }

    /// <exception cref="LocalStoreException">The execution's rows are damaged or incomplete.</exception>
    public ExecutionRecord? Load(string arn)
    {
        var table = "executions";
        lock (_readGate)
        {
            return LoadUnlocked(arn, ref table);
        }
    }

    private ExecutionRecord? LoadUnlocked(string arn, ref string table)
    {
        try
        {
            var rec = Read(arn, ref table);
            if (rec is not null)
            {
                table = "operations and history_events";
                CheckComplete(rec);
            }

            return rec;
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or LocalStoreException))
        {
            throw new LocalStoreException(FilePath, arn,
                $"The local durable service database '{FilePath}' holds a damaged {table} row for execution {arn}: {ex.Message} The execution was not loaded; repair or remove its rows, or use another file.",
                ex);
        }
    }

    private ExecutionRecord? Read(string arn, ref string table)
    {
        ExecutionRecord rec;
        using (var cmd = Command("""
            SELECT name, function_name, function_arn, qualifier, start_ticks, end_ticks, input_payload, execution_operation_id,
                   status, result, error, checkpointed_result, checkpointed_error, token, token_seq, invocation_count,
                   invocation_start_ticks, timer_seq, unseen, updated_since_invocation, execution_timeout_seconds, seq,
                   retention_days, tenant_id, trace_header
            FROM executions WHERE arn = $arn
            """, ("$arn", arn), _reader))
        using (var r = cmd.ExecuteReader())
        {
            if (!r.Read())
            {
                return null;
            }

            rec = new ExecutionRecord(arn, r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), Ticks(r.GetInt64(4)))
            {
                End = NTicks(r, 5),
                InputPayload = NStr(r, 6),
                ExecutionOperationId = r.GetString(7),
                Status = Parse<ExecutionStatus>(r.GetString(8)),
                Result = NStr(r, 9),
                Error = Err(NStr(r, 10)),
                CheckpointedResult = NStr(r, 11),
                CheckpointedError = Err(NStr(r, 12)),
                Token = NStr(r, 13),
                TokenSeq = r.GetInt64(14),
                InvocationCount = r.GetInt32(15),
                InvocationStart = NTicks(r, 16),
                TimerSeqCounter = r.GetInt64(17),
                ExecutionTimeoutSeconds = r.IsDBNull(20) ? null : r.GetInt32(20),
                Seq = r.GetInt64(21),
                RetentionDays = r.IsDBNull(22) ? null : r.GetInt32(22),
                TenantId = NStr(r, 23),
                TraceHeader = NStr(r, 24),
            };
            foreach (var id in JsonSerializer.Deserialize<string[]>(r.GetString(18)) ?? [])
            {
                rec.Unseen.Add(id);
            }

            foreach (var id in JsonSerializer.Deserialize<string[]>(r.GetString(19)) ?? [])
            {
                rec.UpdatedSinceInvocation.Add(id);
            }
        }

        table = "operations";
        using (var cmd = Command("""
            SELECT id, type, sub_type, name, parent_id, start_ticks, created_seq, timer_seq, status, end_ticks, attempt,
                   next_attempt_ticks, result, error, replay_children, wait_seconds, scheduled_end_ticks, callback_id,
                   timeout_seconds, heartbeat_seconds, last_heartbeat_ticks, input_payload, child_arn
            FROM operations WHERE arn = $arn ORDER BY created_seq
            """, ("$arn", arn), _reader))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var op = new OpRecord(r.GetString(0), Parse<OperationType>(r.GetString(1)), NStr(r, 2), NStr(r, 3), NStr(r, 4), Ticks(r.GetInt64(5)), r.GetInt64(6))
                {
                    TimerSeq = r.GetInt64(7),
                    Status = Parse<OperationStatus>(r.GetString(8)),
                    EndTimestamp = NTicks(r, 9),
                    Attempt = r.GetInt32(10),
                    NextAttemptTimestamp = NTicks(r, 11),
                    Result = NStr(r, 12),
                    Error = Err(NStr(r, 13)),
                    ReplayChildren = r.IsDBNull(14) ? null : r.GetInt64(14) != 0,
                    WaitSeconds = r.GetInt32(15),
                    ScheduledEnd = NTicks(r, 16),
                    CallbackId = NStr(r, 17),
                    TimeoutSeconds = r.GetInt32(18),
                    HeartbeatSeconds = r.GetInt32(19),
                    LastHeartbeat = NTicks(r, 20),
                    InputPayload = NStr(r, 21),
                    ChildArn = NStr(r, 22),
                };
                op.Dirty = false;
                rec.Add(op);
            }
        }

        table = "history_events";
        using (var cmd = Command("SELECT body, timestamp_ticks FROM history_events WHERE arn = $arn ORDER BY event_id", ("$arn", arn), _reader))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var e = JsonSerializer.Deserialize<HistoryEvent>(r.GetString(0), Json)!;
                rec.Events.Add(e with { EventTimestamp = Ticks(r.GetInt64(1)) });
            }
        }

        rec.StoredEventCount = rec.Events.Count;
        return rec;
    }

    /// <summary>
    /// Refuses an execution whose rows do not add up (rows lost to a damaged file or a hand edit): it would otherwise be
    /// resumed with operations missing, and its steps run again.
    /// </summary>
    private void CheckComplete(ExecutionRecord rec)
    {
        string? missing = null;
        if (!rec.Ops.ContainsKey(rec.ExecutionOperationId))
        {
            missing = $"its EXECUTION operation row ('{rec.ExecutionOperationId}') is missing";
        }
        else if (rec.Events.Count == 0 || rec.Events[0].EventType != HistoryEventType.ExecutionStarted)
        {
            missing = "its history rows are missing (no ExecutionStarted event)";
        }
        else if (rec.Events.Select((e, i) => e.EventId != i + 1).Any(gap => gap))
        {
            missing = "some of its history rows are missing (the event ids are not 1, 2, 3, ...)";
        }
        else if (rec.Events.FirstOrDefault(e => e.Id is not null && !rec.Ops.ContainsKey(e.Id)) is { } orphan)
        {
            missing = $"history event {orphan.EventId} ({orphan.EventType}) names operation '{orphan.Id}', whose operation row is missing";
        }
        else if (rec.Order.FirstOrDefault(o => o.ParentId is not null && !rec.Ops.ContainsKey(o.ParentId)) is { } child)
        {
            missing = $"operation '{child.Id}' names parent '{child.ParentId}', whose operation row is missing";
        }

        if (missing is not null)
        {
            throw new LocalStoreException(FilePath, rec.Arn,
                $"The local durable service database '{FilePath}' holds an incomplete execution {rec.Arn}: {missing}. It was not loaded, so it will not run with state missing; restore the file from a backup, or remove the execution's rows.");
        }
    }

    /// <summary>
    /// Queues the execution's save; the task completes once the transaction holding it committed (and, with
    /// <c>SyncEachCommit</c>, was synced to disk), or fails with the save's own error. Called under the execution's lock,
    /// which the caller keeps until the task completes, so the record does not change meanwhile; the rows are made here, on
    /// the caller's thread. A save that finds nothing else in progress is written and synced right here, on the caller's
    /// thread (<see cref="CommitOnCallerWhenIdle"/>: the task is complete on return). Otherwise group commit: one writer
    /// thread writes, in one transaction, every save queued while it was busy (after yielding its core up to
    /// <see cref="LingerYields"/> times, so that callers about to save join it), then completes each save's task with that
    /// save's outcome. Callers wait without holding a thread (the engine's asynchronous calls) or block on the task (its
    /// synchronous ones).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The store was closed before the save was queued (thrown, not returned).</exception>
    public Task SaveAsync(ExecutionRecord rec)
    {
        ArgumentNullException.ThrowIfNull(rec);
        var request = new SaveRequest(rec, Prepare(rec), FilePath);
        lock (_queueGate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (CommitOnCallerWhenIdle && _queue.Count == 0 && !_callerCommitting && (_writer is null || _writerWaiting) && SyncerIdle())
            {
                // Nothing else in progress: this thread writes and syncs the save itself (no hand-off to the writer and
                // back, two thread wake-ups that cost a lone save a third of its latency). Saves arriving meanwhile queue
                // for the writer, which waits for the write lock.
                _callerCommitting = true;
            }
            else
            {
                Enqueue(request);
                return request.Task;
            }
        }

        var batch = new List<SaveRequest> { request };
        try
        {
            lock (_writeGate)
            {
                Interlocked.Increment(ref _batches);
                Commit(batch);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            request.Error ??= ex;
        }
        finally
        {
            try
            {
                if (_syncLog && request.Written)
                {
                    SyncAndFinish([batch]);
                }
                else
                {
                    Finish(batch);
                }
            }
            finally
            {
                lock (_queueGate)
                {
                    _callerCommitting = false;
                    Monitor.PulseAll(_queueGate);
                }
            }
        }

        return request.Task;
    }

    /// <summary>Queues a save for the writer thread, starting it on first use or waking it (caller holds the queue lock).</summary>
    private void Enqueue(SaveRequest request)
    {
        _queue.Add(request);
        if (_writer is null)
        {
            _writer = new Thread(WriteLoop) { IsBackground = true, Name = "Durable.Fluent SQLite writer" };
            _writer.Start();
        }
        else if (_writerWaiting)
        {
            _writerWaiting = false;
            Monitor.PulseAll(_queueGate);
        }
    }

    /// <summary>How many saves are queued and not yet taken into a transaction (for tests).</summary>
    internal int QueuedSaves
    {
        get
        {
            lock (_queueGate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Whether <see cref="Dispose"/> has begun (for tests: it may still be waiting for the saves queued before it).</summary>
    internal bool Closed
    {
        get
        {
            lock (_queueGate)
            {
                return _closed;
            }
        }
    }

    /// <summary>How many group-commit transactions have been committed or tried (for tests).</summary>
    internal long Batches => Interlocked.Read(ref _batches);

    /// <summary>
    /// The writer thread: while saves are queued, takes every queued save under the write lock (so
    /// <see cref="WhileNoCommit"/> never sees a transaction half done), commits them, and completes each save's task with its
    /// own outcome (continuations run on the thread pool, not here); sleeps when nothing is queued; ends once the store is
    /// closed and its queue is empty.
    /// </summary>
    private void WriteLoop()
    {
        while (true)
        {
            lock (_queueGate)
            {
                while (_queue.Count == 0)
                {
                    if (_closed)
                    {
                        return;
                    }

                    _writerWaiting = true;
                    Monitor.Wait(_queueGate);
                }
            }

            for (var i = 0; i < LingerYields; i++)
            {
                if (!Thread.Yield())
                {
                    break;
                }
            }

            if (_syncLog)
            {
                lock (_syncGate)
                {
                    // A committed batch the syncer has not taken yet (it is syncing an earlier one) will be synced with
                    // whatever is committed before its turn: commit nothing more until it is taken, so the saves queuing
                    // meanwhile go in one transaction instead of several that wait for the same sync.
                    while (_committed.Count > 0)
                    {
                        Monitor.Wait(_syncGate);
                    }
                }
            }

            List<SaveRequest> batch = [];
            try
            {
                lock (_writeGate)
                {
                    lock (_queueGate)
                    {
                        (batch, _queue) = (_queue, batch);
                    }

                    Interlocked.Increment(ref _batches);
                    Commit(batch);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Commit fails saves one by one; this is what it could not attribute (the write lock's connection gone, ...).
                foreach (var request in batch)
                {
                    request.Error ??= ex;
                }
            }
            finally
            {
                // Whatever happened, every save in the batch gets its outcome (after the log is synced, when it must be), so
                // no caller waits for ever and a closing store sees the queue drain.
                if (!_syncLog || !batch.Exists(r => r.Written))
                {
                    Finish(batch);
                }
                else if (SyncOnWriterWhenIdle && NothingElseToDo())
                {
                    // Nothing to overlap the sync with: syncing here spares the hand-off to the syncer (a thread wake-up).
                    SyncAndFinish([batch]);
                }
                else
                {
                    ToSyncer(batch);
                }
            }
        }
    }

    /// <summary>Queues a committed batch for the syncer thread (started on first use).</summary>
    private void ToSyncer(List<SaveRequest> batch)
    {
        lock (_syncGate)
        {
            _committed.Add(batch);
            if (_syncer is null)
            {
                _syncer = new Thread(SyncLoop) { IsBackground = true, Name = "Durable.Fluent SQLite log sync" };
                _syncer.Start();
            }
            else
            {
                Monitor.PulseAll(_syncGate);
            }
        }
    }

    /// <summary>
    /// The syncer thread (with <c>SyncEachCommit</c>): takes every batch the writer has committed since its last turn, syncs
    /// the write-ahead log to disk once for all of them, then completes their saves. A commit's frames are in the log (in
    /// the operating system's cache) when the writer hands it over, and one sync of the file makes them and every earlier
    /// frame durable, so a save is answered only once it would survive a power loss — as with SQLite's
    /// <c>synchronous=FULL</c> — while the writer already writes the next batch instead of waiting for the disk (the two
    /// overlap; with FULL the sync is part of the commit). The writer commits at most one batch ahead: while a committed
    /// batch waits for the syncer it commits nothing more (see <see cref="WriteLoop"/>), so the saves queuing meanwhile share
    /// the next transaction; and when nothing else is queued and the syncer is idle it syncs its commit itself (see
    /// <see cref="SyncOnWriterWhenIdle"/>). What this allows that FULL does not: a list or count (the reader
    /// connection) may see a committed change up to one sync before it is on disk; a call on the execution never does (the
    /// engine holds the execution's lock until its save is answered). When the sync fails, every save it covered fails
    /// with the error (the engine then drops those executions from memory and reloads them from the file).
    /// </summary>
    private void SyncLoop()
    {
        while (true)
        {
            List<List<SaveRequest>> batches = [];
            lock (_syncGate)
            {
                while (_committed.Count == 0)
                {
                    if (_writerDone)
                    {
                        return;
                    }

                    Monitor.Wait(_syncGate);
                }

                (batches, _committed) = (_committed, batches);
                _syncerBusy = true;
                Monitor.PulseAll(_syncGate); // the writer may be waiting for these batches to be taken
            }

            try
            {
                SyncAndFinish(batches);
            }
            finally
            {
                lock (_syncGate)
                {
                    _syncerBusy = false;
                }
            }
        }
    }

    /// <summary>Whether the syncer is neither syncing nor holding a committed batch.</summary>
    private bool SyncerIdle()
    {
        lock (_syncGate)
        {
            return !_syncerBusy && _committed.Count == 0;
        }
    }

    /// <summary>Whether the writer has nothing queued and the syncer nothing to sync (checked after a commit).</summary>
    private bool NothingElseToDo()
    {
        if (!SyncerIdle())
        {
            return false;
        }

        lock (_queueGate)
        {
            return _queue.Count == 0;
        }
    }

    /// <summary>Syncs the log once for the committed batches, then completes their saves (failed ones with the sync's error).</summary>
    private void SyncAndFinish(List<List<SaveRequest>> batches)
    {
        Exception? failed = null;
        try
        {
            BeforeLogSync?.Invoke();
            SyncLog();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            failed = new LocalStoreException(FilePath, null, $"The local durable service could not sync the write-ahead log of '{FilePath}' to disk ({ex.Message}); the saves it carried were not acknowledged and may or may not be in the file.");
        }

        foreach (var batch in batches)
        {
            if (failed is not null)
            {
                foreach (var request in batch)
                {
                    request.Error ??= failed;
                }
            }

            Finish(batch);
        }
    }

    /// <summary>
    /// Whether a save that finds nothing else in progress (nothing queued, the writer waiting, the syncer idle, no other
    /// save being written by its caller) is written and synced on its caller's thread (default): a lone save then costs
    /// what a direct commit does, with no hand-off to the writer thread and back. Tests of the queue turn it off.
    /// </summary>
    internal bool CommitOnCallerWhenIdle { get; set; } = true;

    /// <summary>
    /// Whether the writer syncs a commit itself when nothing else is queued and the syncer is idle (default): with no next
    /// batch to write meanwhile, handing the sync over would only add a thread wake-up to the save's latency. Tests turn it
    /// off to see the hand-off.
    /// </summary>
    internal bool SyncOnWriterWhenIdle { get; set; } = true;

    /// <summary>
    /// Syncs the write-ahead log file (<c>-wal</c>) to disk; the handle is opened on first use and kept (the file exists
    /// while the store's connections are open). On Linux with <c>fdatasync</c>, as SQLite itself syncs there: the log's
    /// data and its size, not its modification time, which would cost a journal commit of the file system on every sync
    /// (measured: ~15 % of the synced throughput). Elsewhere with the platform's full flush.
    /// </summary>
    /// <exception cref="IOException">The sync failed.</exception>
    private void SyncLog()
    {
        FileStream log;
        lock (_logGate)
        {
            // Saves are synced by their caller, the writer or the syncer, possibly at once: the handle is opened once.
            log = _log ??= new FileStream(FilePath + "-wal", FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        }

        if (OperatingSystem.IsLinux())
        {
            if (FdDataSync((int)log.SafeFileHandle.DangerousGetHandle()) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new IOException($"fdatasync of '{FilePath}-wal' failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
            }
        }
        else
        {
            log.Flush(flushToDisk: true);
        }

        Interlocked.Increment(ref _logSyncs);
    }

    [DllImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static extern int FdDataSync(int fd);

    /// <summary>For tests: runs on the syncing thread (caller, writer or syncer) before each sync of the log (a test can hold it there, or make it fail).</summary>
    internal Action? BeforeLogSync { get; set; }

    /// <summary>How many times the store synced the log (for tests).</summary>
    internal long LogSyncs => Interlocked.Read(ref _logSyncs);

    private static void Finish(List<SaveRequest> batch)
    {
        foreach (var request in batch)
        {
            request.Finish();
        }
    }

    /// <summary>Writes the batch in one transaction; if that fails, each save in its own, so only the failing ones fail. Under the write lock.</summary>
    private void Commit(List<SaveRequest> batch)
    {
        try
        {
            using (var tx = _connection.BeginTransaction())
            {
                foreach (var request in batch)
                {
                    WriteRows(request.Rows, tx);
                }

                tx.Commit();
            }

            foreach (var request in batch)
            {
                Saved(request);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (batch.Count == 1)
            {
                Failed(batch[0], ex);
                return;
            }

            foreach (var request in batch)
            {
                try
                {
                    using (var tx = _connection.BeginTransaction())
                    {
                        WriteRows(request.Rows, tx);
                        tx.Commit();
                    }

                    Saved(request);
                }
                catch (Exception one) when (one is not OutOfMemoryException)
                {
                    Failed(request, one);
                }
            }
        }
    }

    private static void Saved(SaveRequest request)
    {
        var rec = request.Record;
        rec.StoreNote = request.Rows.Note;
        rec.StoredEventCount = rec.Events.Count;
        foreach (var op in rec.Order)
        {
            op.Dirty = false;
        }

        request.Written = true;
    }

    private static void Failed(SaveRequest request, Exception error) => request.Error = error;

    /// <summary>
    /// The rows a save writes, computed on the saving caller's thread (it holds the execution's lock, so the record does not
    /// change), so the thread that commits (the writer, or a lone caller) only binds values and runs statements: the JSON
    /// of events and errors is made by the callers in parallel, not one after another inside the transaction. What the store wrote last for the
    /// record (<see cref="ExecutionRecord.StoreNote"/>) lets a save skip work: a running execution whose row exists is
    /// updated without its indexed end and purge columns (so their indexes are not rewritten), and the timer rows are
    /// rewritten only when the armed timers changed. Every page a save dirties is a page the commit writes to the log.
    /// </summary>
    private static RowSet Prepare(ExecutionRecord rec)
    {
        var before = rec.StoreNote as StoreNote;
        var timers = new List<(string OpId, LocalDurableEngine.TimerKind Kind, long DueTicks)>();
        foreach (var t in LocalDurableEngine.Timers(rec))
        {
            timers.Add((t.Op.Id, t.Kind, t.Due.UtcTicks));
        }

        var rows = new RowSet(rec.Arn, new StoreNote(rec.End is not null, timers));
        if (before is not null && !before.Ended && rec.End is null)
        {
            rows.Running =
            [
                rec.Arn, UpperSnakeEnumConverter<ExecutionStatus>.ToToken(rec.Status), rec.CheckpointedResult,
                ErrJson(rec.CheckpointedError), rec.Token, rec.TokenSeq, rec.InvocationCount, rec.InvocationStart?.UtcTicks,
                rec.TimerSeqCounter, Ids(rec.Unseen), Ids(rec.UpdatedSinceInvocation),
            ];
        }
        else
        {
            rows.Execution =
            [
                rec.Arn, rec.Seq, rec.Name, rec.FunctionName, rec.FunctionArn, rec.Qualifier, rec.Start.UtcTicks,
                rec.End?.UtcTicks, rec.InputPayload, rec.ExecutionOperationId, UpperSnakeEnumConverter<ExecutionStatus>.ToToken(rec.Status),
                rec.Result, ErrJson(rec.Error), rec.CheckpointedResult, ErrJson(rec.CheckpointedError), rec.Token, rec.TokenSeq,
                rec.InvocationCount, rec.InvocationStart?.UtcTicks, rec.TimerSeqCounter, Ids(rec.Unseen),
                Ids(rec.UpdatedSinceInvocation), rec.ExecutionTimeoutSeconds, rec.RetentionDays, rec.PurgeAt?.UtcTicks,
                rec.TenantId, rec.TraceHeader,
            ];
        }

        foreach (var op in rec.Order)
        {
            if (op.Dirty)
            {
                rows.Operations.Add(
                [
                    rec.Arn, op.Id, UpperSnakeEnumConverter<OperationType>.ToToken(op.Type), op.SubType, op.Name, op.ParentId,
                    op.StartTimestamp.UtcTicks, op.CreatedSeq, op.TimerSeq, UpperSnakeEnumConverter<OperationStatus>.ToToken(op.Status),
                    op.EndTimestamp?.UtcTicks, op.Attempt, op.NextAttemptTimestamp?.UtcTicks, op.Result, ErrJson(op.Error),
                    op.ReplayChildren is { } rc ? (rc ? 1L : 0L) : null, op.WaitSeconds, op.ScheduledEnd?.UtcTicks, op.CallbackId,
                    op.TimeoutSeconds, op.HeartbeatSeconds, op.LastHeartbeat?.UtcTicks, op.InputPayload, op.ChildArn,
                ]);
            }
        }

        for (var i = rec.StoredEventCount; i < rec.Events.Count; i++)
        {
            var e = rec.Events[i];
            rows.Events.Add([rec.Arn, e.EventId, e.EventType.ToString(), e.EventTimestamp.UtcTicks, JsonSerializer.Serialize(e, Json)]);
        }

        if (before?.Timers is not { } stored || !stored.SequenceEqual(timers))
        {
            rows.Timers = timers.Select(t => new object?[]
            {
                rec.Arn, t.OpId, t.Kind.ToString(), t.DueTicks, new DateTimeOffset(t.DueTicks, TimeSpan.Zero).UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            }).ToList();
        }

        return rows;
    }

    /// <summary>Writes a save's rows with the prepared statements (caller holds the write lock).</summary>
    private void WriteRows(RowSet rows, SqliteTransaction tx)
    {
        var w = _write ??= new WriteStatements(_connection);
        if (rows.Running is { } running)
        {
            if (Run(w.UpdateRunning, w.Running, running, tx) != 1)
            {
                throw new LocalStoreException(FilePath, rows.Arn, $"The executions row of execution {rows.Arn} is missing from '{FilePath}' although this service wrote it; the file was changed from outside. Restart the service to reload it.");
            }
        }
        else
        {
            Run(w.UpsertExecution, w.Execution, rows.Execution!, tx);
        }

        foreach (var op in rows.Operations)
        {
            Run(w.UpsertOperation, w.Operation, op, tx);
        }

        foreach (var e in rows.Events)
        {
            Run(w.InsertEvent, w.Event, e, tx);
        }

        if (rows.Timers is { } timers)
        {
            Run(w.DeleteTimers, [w.DeleteTimersArn], [rows.Arn], tx);
            foreach (var t in timers)
            {
                Run(w.InsertTimer, w.Timer, t, tx);
            }
        }
    }

    /// <summary>Binds <paramref name="values"/> to the statement's parameters in order and runs it; returns the rows changed.</summary>
    private static int Run(SqliteCommand command, SqliteParameter[] parameters, object?[] values, SqliteTransaction tx)
    {
        command.Transaction = tx;
        for (var i = 0; i < parameters.Length; i++)
        {
            Set(parameters[i], values[i]);
        }

        return command.ExecuteNonQuery();
    }

    /// <summary>The JSON array of a set of operation ids (the common empty set without serializing).</summary>
    private static string Ids(HashSet<string> ids) => ids.Count == 0 ? "[]" : JsonSerializer.Serialize(ids.ToArray());

    /// <summary>The earliest stored timer due time across all executions (what a restarted service fires first).</summary>
    public DateTimeOffset? EarliestTimerDue()
    {
        lock (_readGate)
        {
            using var cmd = Query("SELECT MIN(due_ticks) FROM timers");
            var v = cmd.ExecuteScalar();
            return v is long ticks ? Ticks(ticks) : null;
        }
    }

    public void Delete(IReadOnlyCollection<string> arns)
    {
        ArgumentNullException.ThrowIfNull(arns);
        lock (_writeGate)
        {
            using var tx = _connection.BeginTransaction();
            foreach (var table in new[] { "timers", "history_events", "operations", "executions" })
            {
                using var cmd = Command($"DELETE FROM {table} WHERE arn = $arn", tx);
                var arnP = cmd.Parameters.Add("$arn", SqliteType.Text);
                cmd.Prepare();
                foreach (var arn in arns)
                {
                    arnP.Value = arn;
                    cmd.ExecuteNonQuery();
                }
            }

            tx.Commit();
        }
    }

    public string? FindByName(string functionName, string name)
    {
        lock (_readGate)
        {
            var cmd = _findByName ??= Prepared("SELECT arn FROM executions WHERE function_name = $f AND name = $n LIMIT 1", "$f", "$n");
            cmd.Parameters[0].Value = functionName;
            cmd.Parameters[1].Value = name;
            return cmd.ExecuteScalar() as string;
        }
    }

    public (string Arn, string OperationId)? FindCallback(string callbackId)
    {
        lock (_readGate)
        {
            var cmd = _findCallback ??= Prepared("SELECT arn, id FROM operations WHERE callback_id = $id LIMIT 1", "$id");
            cmd.Parameters[0].Value = callbackId;
            using var r = cmd.ExecuteReader();
            return r.Read() ? (r.GetString(0), r.GetString(1)) : null;
        }
    }

    public bool Exists(string arn)
    {
        lock (_readGate)
        {
            var cmd = _exists ??= Prepared("SELECT 1 FROM executions WHERE arn = $arn", "$arn");
            cmd.Parameters[0].Value = arn;
            return cmd.ExecuteScalar() is not null;
        }
    }

    /// <exception cref="LocalStoreException">A listed row is damaged.</exception>
    public IReadOnlyList<StoredExecution> List(ExecutionQuery query, DateTimeOffset now, int offset, int limit)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_readGate)
        {
            using var cmd = Query(string.Empty);
            cmd.CommandText = $"""
                SELECT arn, name, function_arn, status, input_payload, result, error, start_ticks, end_ticks, qualifier,
                       execution_timeout_seconds
                FROM executions WHERE {Where(cmd, query, now)}
                ORDER BY seq {(query.Reverse ? "DESC" : "ASC")} LIMIT $limit OFFSET $offset
                """;
            cmd.Parameters.AddWithValue("$limit", limit == int.MaxValue ? -1 : limit);
            cmd.Parameters.AddWithValue("$offset", offset);
            var rows = new List<StoredExecution>();
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var arn = r.GetString(0);
                try
                {
                    var start = Ticks(r.GetInt64(7));
                    rows.Add(new StoredExecution(
                        new ExecutionSnapshot
                        {
                            DurableExecutionArn = arn,
                            DurableExecutionName = r.GetString(1),
                            FunctionArn = r.GetString(2),
                            Status = Parse<ExecutionStatus>(r.GetString(3)),
                            InputPayload = NStr(r, 4),
                            Result = NStr(r, 5),
                            Error = Err(NStr(r, 6)),
                            StartTimestamp = start,
                            EndTimestamp = NTicks(r, 8),
                            Version = r.GetString(9),
                        },
                        r.IsDBNull(10) ? null : start.AddSeconds(r.GetInt32(10))));
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    throw new LocalStoreException(FilePath, arn,
                        $"The local durable service database '{FilePath}' holds a damaged executions row for execution {arn}: {ex.Message} Repair or remove its rows, or use another file.",
                        ex);
                }
            }

            return rows;
        }
    }

    public long Count(ExecutionQuery query, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_readGate)
        {
            using var cmd = Query(string.Empty);
            cmd.CommandText = $"SELECT COUNT(*) FROM executions WHERE {Where(cmd, query, now)}";
            return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
    }

    public IReadOnlyList<string> Expired(DateTimeOffset now, int max)
    {
        lock (_readGate)
        {
            using var cmd = Query("SELECT arn FROM executions WHERE purge_ticks <= $now ORDER BY purge_ticks LIMIT $max");
            cmd.Parameters.AddWithValue("$now", now.UtcTicks);
            cmd.Parameters.AddWithValue("$max", max);
            return Strings(cmd);
        }
    }

    /// <summary>The WHERE clause of a listing (its parameters bound on <paramref name="cmd"/>): only indexed columns and the row itself.</summary>
    private static string Where(SqliteCommand cmd, ExecutionQuery query, DateTimeOffset now)
    {
        var where = new List<string> { "(purge_ticks IS NULL OR purge_ticks > $now)" };
        cmd.Parameters.AddWithValue("$now", now.UtcTicks);
        if (query.FunctionName is { } function)
        {
            where.Add("function_name = $function");
            cmd.Parameters.AddWithValue("$function", function);
        }

        if (query.ExecutionName is { } name)
        {
            where.Add("name = $name");
            cmd.Parameters.AddWithValue("$name", name);
        }

        if (query.Qualifier is { } qualifier)
        {
            where.Add("qualifier = $qualifier");
            cmd.Parameters.AddWithValue("$qualifier", qualifier);
        }

        if (query.Statuses.Count > 0)
        {
            var names = query.Statuses.Select((status, i) =>
            {
                cmd.Parameters.AddWithValue($"$status{i}", UpperSnakeEnumConverter<ExecutionStatus>.ToToken(status));
                return $"$status{i}";
            });
            where.Add($"status IN ({string.Join(", ", names)})");
        }

        if (query.StartedAfter is { } after)
        {
            where.Add("start_ticks > $after");
            cmd.Parameters.AddWithValue("$after", after.UtcTicks);
        }

        if (query.StartedBefore is { } before)
        {
            where.Add("start_ticks < $before");
            cmd.Parameters.AddWithValue("$before", before.UtcTicks);
        }

        return string.Join(" AND ", where);
    }

    /// <summary>
    /// Closes the store. Saves queued before the call are still committed (their callers get their outcome as usual); a
    /// save after it throws <see cref="ObjectDisposedException"/>.
    /// </summary>
    public void Dispose()
    {
        Thread? writer;
        lock (_queueGate)
        {
            // Saves queued before this are still written by the writer; later ones are refused (ObjectDisposedException).
            _closed = true;
            writer = _writer;
            Monitor.PulseAll(_queueGate);
            while (_callerCommitting)
            {
                Monitor.Wait(_queueGate); // a save written on its caller's thread finishes first
            }
        }

        if (writer is not null && writer != Thread.CurrentThread)
        {
            writer.Join();
        }

        Thread? syncer;
        lock (_syncGate)
        {
            // The writer has handed over its last batch: the syncer syncs what is left, then ends.
            _writerDone = true;
            syncer = _syncer;
            Monitor.PulseAll(_syncGate);
        }

        if (syncer is not null && syncer != Thread.CurrentThread)
        {
            syncer.Join();
        }

        lock (_logGate)
        {
            _log?.Dispose();
        }

        lock (_writeGate)
        {
            _write?.Dispose();
            _write = null;
        }

        lock (_readGate)
        {
            _findByName?.Dispose();
            _findCallback?.Dispose();
            _exists?.Dispose();
        }

        _reader.Dispose();
        _connection.Dispose();
    }

    private void CreateSchema(int? legacyRetentionDays)
    {
        Exec("""
            CREATE TABLE IF NOT EXISTS schema_info (version INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS executions (
                arn TEXT PRIMARY KEY, seq INTEGER NOT NULL, name TEXT NOT NULL, function_name TEXT NOT NULL,
                function_arn TEXT NOT NULL, qualifier TEXT NOT NULL, start_ticks INTEGER NOT NULL, end_ticks INTEGER,
                input_payload TEXT, execution_operation_id TEXT NOT NULL, status TEXT NOT NULL, result TEXT, error TEXT,
                checkpointed_result TEXT, checkpointed_error TEXT, token TEXT, token_seq INTEGER NOT NULL,
                invocation_count INTEGER NOT NULL, invocation_start_ticks INTEGER, timer_seq INTEGER NOT NULL,
                unseen TEXT NOT NULL, updated_since_invocation TEXT NOT NULL, execution_timeout_seconds INTEGER,
                retention_days INTEGER, purge_ticks INTEGER, tenant_id TEXT, trace_header TEXT);
            CREATE TABLE IF NOT EXISTS operations (
                arn TEXT NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, sub_type TEXT, name TEXT, parent_id TEXT,
                start_ticks INTEGER NOT NULL, created_seq INTEGER NOT NULL, timer_seq INTEGER NOT NULL, status TEXT NOT NULL,
                end_ticks INTEGER, attempt INTEGER NOT NULL, next_attempt_ticks INTEGER, result TEXT, error TEXT,
                replay_children INTEGER, wait_seconds INTEGER NOT NULL, scheduled_end_ticks INTEGER, callback_id TEXT,
                timeout_seconds INTEGER NOT NULL, heartbeat_seconds INTEGER NOT NULL, last_heartbeat_ticks INTEGER,
                input_payload TEXT, child_arn TEXT,
                PRIMARY KEY (arn, id));
            CREATE TABLE IF NOT EXISTS history_events (
                arn TEXT NOT NULL, event_id INTEGER NOT NULL, event_type TEXT NOT NULL, timestamp_ticks INTEGER NOT NULL,
                body TEXT NOT NULL,
                PRIMARY KEY (arn, event_id));
            CREATE TABLE IF NOT EXISTS timers (
                arn TEXT NOT NULL, operation_id TEXT NOT NULL, kind TEXT NOT NULL, due_ticks INTEGER NOT NULL, due_utc TEXT NOT NULL,
                PRIMARY KEY (arn, operation_id, kind));
            """);
        AddColumnIfMissing("executions", "execution_timeout_seconds", "INTEGER");
        AddColumnIfMissing("executions", "retention_days", "INTEGER");
        AddColumnIfMissing("executions", "tenant_id", "TEXT");
        AddColumnIfMissing("executions", "trace_header", "TEXT");
        if (AddColumnIfMissing("executions", "purge_ticks", "INTEGER") && legacyRetentionDays is { } days)
        {
            // Executions stored before retention existed: they get the service's retention period from their end.
            Exec($"""
                UPDATE executions SET retention_days = {days};
                UPDATE executions SET purge_ticks = end_ticks + {days} * {TimeSpan.TicksPerDay} WHERE end_ticks IS NOT NULL;
                """);
        }

        // The look-ups the engine makes at scale, each answered by an index (none scans the table): creation order (the
        // next number, listing), name per function (starting), listing per function, open executions (resuming), purge
        // time (retention), callback id (answering a callback) and timer due time.
        Exec("""
            CREATE INDEX IF NOT EXISTS executions_seq ON executions (seq);
            CREATE INDEX IF NOT EXISTS executions_function_name ON executions (function_name, name);
            CREATE INDEX IF NOT EXISTS executions_function_seq ON executions (function_name, seq);
            CREATE INDEX IF NOT EXISTS executions_open ON executions (seq) WHERE end_ticks IS NULL;
            DROP INDEX IF EXISTS executions_purge;
            CREATE INDEX IF NOT EXISTS executions_purge_at ON executions (purge_ticks) WHERE purge_ticks IS NOT NULL;
            DROP INDEX IF EXISTS operations_callback_id;
            CREATE INDEX IF NOT EXISTS operations_callback ON operations (callback_id) WHERE callback_id IS NOT NULL;
            CREATE INDEX IF NOT EXISTS timers_due ON timers (due_ticks);
            """);
        using var cmd = Command("SELECT version FROM schema_info LIMIT 1");
        var version = cmd.ExecuteScalar();
        if (version is null)
        {
            Exec($"INSERT INTO schema_info (version) VALUES ({SchemaVersion})");
        }
        else if (Convert.ToInt64(version, CultureInfo.InvariantCulture) != SchemaVersion)
        {
            throw new LocalStoreException(FilePath, null,
                $"The local durable service database '{FilePath}' has schema version {version}; this version of Durable.Fluent reads version {SchemaVersion}. Use a new file.");
        }
    }

    private LocalStoreException FileError(SqliteException ex)
    {
        var what = ex.SqliteErrorCode switch
        {
            26 => "is not a SQLite database", // SQLITE_NOTADB
            11 => "is damaged (SQLite reports a malformed database image)", // SQLITE_CORRUPT
            _ => "cannot be opened",
        };
        return new LocalStoreException(FilePath, null,
            $"The local durable service database '{FilePath}' {what}: {ex.Message}. It was left as it is; point DatabasePath at the right file, restore it from a backup, or choose a new path.",
            ex);
    }

    /// <summary>Adds a nullable column that files written by an earlier version lack (their rows read it as NULL); true when it was added.</summary>
    private bool AddColumnIfMissing(string table, string column, string type)
    {
        using (var info = Command($"SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = '{column}'"))
        {
            if (Convert.ToInt64(info.ExecuteScalar(), CultureInfo.InvariantCulture) > 0)
            {
                return false;
            }
        }

        Exec($"ALTER TABLE {table} ADD COLUMN {column} {type}");
        return true;
    }

    private void Exec(string sql)
    {
        using var cmd = Command(sql);
        cmd.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, SqliteTransaction? tx = null)
    {
        var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        return cmd;
    }

    private SqliteCommand Command(string sql, (string Name, string Value) parameter, SqliteConnection connection)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue(parameter.Name, parameter.Value);
        return cmd;
    }

    /// <summary>A reader command kept for reuse (prepared once; caller holds the read lock), with text parameters.</summary>
    private SqliteCommand Prepared(string sql, params string[] parameters)
    {
        var cmd = Query(sql);
        foreach (var name in parameters)
        {
            cmd.Parameters.Add(name, SqliteType.Text);
        }

        return cmd;
    }

    /// <summary>A command on the reader connection (caller holds the read lock).</summary>
    private SqliteCommand Query(string sql)
    {
        var cmd = _reader.CreateCommand();
        cmd.CommandText = sql;
        return cmd;
    }

    private static List<string> Strings(SqliteCommand cmd)
    {
        var list = new List<string>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            list.Add(r.GetString(0));
        }

        return list;
    }

    private static void Set(SqliteParameter p, object? value)
    {
        p.SqliteType = value is long or int ? SqliteType.Integer : SqliteType.Text;
        p.Value = value ?? DBNull.Value;
    }

    private static T Parse<T>(string token)
        where T : struct, Enum
        => UpperSnakeEnumConverter<T>.TryParse(token, out var value)
            ? value
            : throw new InvalidDataException($"The local durable service database holds an unknown {typeof(T).Name} '{token}'.");

    private static DateTimeOffset Ticks(long ticks) => new(ticks, TimeSpan.Zero);

    private static DateTimeOffset? NTicks(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : Ticks(r.GetInt64(i));

    private static string? NStr(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static string? ErrJson(ErrorObject? e) => e is null ? null : JsonSerializer.Serialize(e, Json);

    private static ErrorObject? Err(string? json) => json is null ? null : JsonSerializer.Deserialize<ErrorObject>(json, Json);

    /// <summary>
    /// One queued save: its rows, and the task its caller waits on. Written and Error are set by the writer before it
    /// completes the task, which publishes them. Continuations run asynchronously (on the thread pool), so the writer never
    /// runs a caller's code; a caller that blocks on the task (the engine's synchronous calls) blocks in a task wait, for which
    /// the thread pool adds threads at once (its handling of sync-over-async) — with monitor waits the pool stayed at about 8
    /// threads while 16 clients' saves waited, and group commits stayed small.
    /// </summary>
    private sealed class SaveRequest(ExecutionRecord record, RowSet rows, string file)
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ExecutionRecord Record => record;

        public bool Written { get; set; }

        public Exception? Error { get; set; }

        /// <summary>The rows to write (made by the caller before it queued).</summary>
        public RowSet Rows => rows;

        /// <summary>Completes once the save is written; faults with its own error otherwise.</summary>
        public Task Task => _done.Task;

        /// <summary>Completes the task with the save's outcome; a save neither written nor failed (its transaction failed) gets an error too.</summary>
        public void Finish()
        {
            if (Error is { } error)
            {
                _done.TrySetException(error);
            }
            else if (!Written)
            {
                _done.TrySetException(new LocalStoreException(file, record.Arn, $"The save of execution '{record.Arn}' was not written: the transaction that carried it failed. Retry the call."));
            }
            else
            {
                _done.TrySetResult();
            }
        }
    }

    /// <summary>
    /// The writer's statements, prepared once and reused for every save (SQLite parses each statement once, not per save).
    /// Used under the write lock only.
    /// </summary>
    private sealed class WriteStatements : IDisposable
    {
        public WriteStatements(SqliteConnection connection)
        {
            UpsertExecution = Prepare(connection, """
                INSERT INTO executions (arn, seq, name, function_name, function_arn, qualifier, start_ticks, end_ticks, input_payload,
                    execution_operation_id, status, result, error, checkpointed_result, checkpointed_error, token, token_seq,
                    invocation_count, invocation_start_ticks, timer_seq, unseen, updated_since_invocation, execution_timeout_seconds,
                    retention_days, purge_ticks, tenant_id, trace_header)
                VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8, $p9, $p10, $p11, $p12, $p13, $p14, $p15, $p16, $p17, $p18, $p19,
                    $p20, $p21, $p22, $p23, $p24, $p25, $p26)
                ON CONFLICT(arn) DO UPDATE SET end_ticks = excluded.end_ticks, status = excluded.status, result = excluded.result,
                    error = excluded.error, checkpointed_result = excluded.checkpointed_result,
                    checkpointed_error = excluded.checkpointed_error, token = excluded.token, token_seq = excluded.token_seq,
                    invocation_count = excluded.invocation_count, invocation_start_ticks = excluded.invocation_start_ticks,
                    timer_seq = excluded.timer_seq, unseen = excluded.unseen, updated_since_invocation = excluded.updated_since_invocation,
                    purge_ticks = excluded.purge_ticks
                """, 27, out var execution);
            Execution = execution;
            UpdateRunning = Prepare(connection, """
                UPDATE executions SET status = $p1, checkpointed_result = $p2, checkpointed_error = $p3, token = $p4,
                    token_seq = $p5, invocation_count = $p6, invocation_start_ticks = $p7, timer_seq = $p8, unseen = $p9,
                    updated_since_invocation = $p10
                WHERE arn = $p0
                """, 11, out var running);
            Running = running;
            UpsertOperation = Prepare(connection, """
                INSERT INTO operations (arn, id, type, sub_type, name, parent_id, start_ticks, created_seq, timer_seq, status, end_ticks,
                    attempt, next_attempt_ticks, result, error, replay_children, wait_seconds, scheduled_end_ticks, callback_id,
                    timeout_seconds, heartbeat_seconds, last_heartbeat_ticks, input_payload, child_arn)
                VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8, $p9, $p10, $p11, $p12, $p13, $p14, $p15, $p16, $p17, $p18, $p19,
                    $p20, $p21, $p22, $p23)
                ON CONFLICT(arn, id) DO UPDATE SET timer_seq = excluded.timer_seq, status = excluded.status,
                    end_ticks = excluded.end_ticks, attempt = excluded.attempt, next_attempt_ticks = excluded.next_attempt_ticks,
                    result = excluded.result, error = excluded.error, replay_children = excluded.replay_children,
                    wait_seconds = excluded.wait_seconds, scheduled_end_ticks = excluded.scheduled_end_ticks,
                    callback_id = excluded.callback_id, timeout_seconds = excluded.timeout_seconds,
                    heartbeat_seconds = excluded.heartbeat_seconds, last_heartbeat_ticks = excluded.last_heartbeat_ticks,
                    input_payload = excluded.input_payload, child_arn = excluded.child_arn
                """, 24, out var operation);
            Operation = operation;
            InsertEvent = Prepare(connection, "INSERT INTO history_events (arn, event_id, event_type, timestamp_ticks, body) VALUES ($p0, $p1, $p2, $p3, $p4)", 5, out var evt);
            Event = evt;
            DeleteTimers = Prepare(connection, "DELETE FROM timers WHERE arn = $p0", 1, out var deleteTimers);
            DeleteTimersArn = deleteTimers[0];
            InsertTimer = Prepare(connection, "INSERT OR REPLACE INTO timers (arn, operation_id, kind, due_ticks, due_utc) VALUES ($p0, $p1, $p2, $p3, $p4)", 5, out var timer);
            Timer = timer;
        }

        public SqliteCommand UpsertExecution { get; }

        public SqliteParameter[] Execution { get; }

        /// <summary>Updates a running execution's row without its indexed columns (end, purge time).</summary>
        public SqliteCommand UpdateRunning { get; }

        public SqliteParameter[] Running { get; }

        public SqliteCommand UpsertOperation { get; }

        public SqliteParameter[] Operation { get; }

        public SqliteCommand InsertEvent { get; }

        public SqliteParameter[] Event { get; }

        public SqliteCommand DeleteTimers { get; }

        public SqliteParameter DeleteTimersArn { get; }

        public SqliteCommand InsertTimer { get; }

        public SqliteParameter[] Timer { get; }

        public void Dispose()
        {
            UpsertExecution.Dispose();
            UpdateRunning.Dispose();
            UpsertOperation.Dispose();
            InsertEvent.Dispose();
            DeleteTimers.Dispose();
            InsertTimer.Dispose();
        }

        private static SqliteCommand Prepare(SqliteConnection connection, string sql, int parameters, out SqliteParameter[] p)
        {
            var cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            p = new SqliteParameter[parameters];
            for (var i = 0; i < parameters; i++)
            {
                p[i] = cmd.Parameters.Add("$p" + i.ToString(CultureInfo.InvariantCulture), SqliteType.Text);
            }

            return cmd;
        }
    }

    /// <summary>The rows of one save, as parameter values in statement order; <see cref="Timers"/> null when they are unchanged.</summary>
    private sealed class RowSet(string arn, StoreNote note)
    {
        public string Arn => arn;

        /// <summary>What the store will have written once this commits (becomes the record's <see cref="ExecutionRecord.StoreNote"/>).</summary>
        public StoreNote Note => note;

        public object?[]? Running { get; set; }

        public object?[]? Execution { get; set; }

        public List<object?[]> Operations { get; } = [];

        public List<object?[]> Events { get; } = [];

        public List<object?[]>? Timers { get; set; }
    }

    /// <summary>What a committed save wrote for an execution: whether its row has ended, and its timer rows (operation, kind, due ticks).</summary>
    private sealed record StoreNote(bool Ended, List<(string OpId, LocalDurableEngine.TimerKind Kind, long DueTicks)> Timers);
}
