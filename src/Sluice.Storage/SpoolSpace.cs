namespace Sluice.Storage;

/// <summary>
/// Free space on the spool's filesystem, and the reserve that keeps room for the spool's own
/// bookkeeping. Intake is refused while free space (less the message's size) is below
/// <see cref="SpoolOptions.MinFreeBytes"/> or after a write found the disk full, until space is
/// back; acknowledgements, leases and deletes are never refused here, and when the disk fills
/// anyway the reserve file is given up so that they can still be written.
/// </summary>
internal sealed class SpoolSpace
{
    private const string ReserveName = "spool.reserve";
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromMilliseconds(250);
    private readonly string _directory;
    private readonly long _minFree;
    private readonly long _reserveBytes;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private long _available = long.MaxValue;
    private long _checkedAt;
    private bool _checked;
    private volatile bool _full;
    private bool _reserveExists;

    public SpoolSpace(string directory, long minFree, long reserveBytes, TimeProvider time)
    {
        _directory = directory;
        _minFree = minFree;
        _reserveBytes = reserveBytes;
        _time = time;
    }

    /// <summary>The reserve is to be made (again): the writer calls <see cref="Restore"/> between batches.</summary>
    public bool NeedsRestore => _reserveBytes > 0 && !_reserveExists;

    /// <summary>Bytes free for an unprivileged writer, at most a quarter second old.</summary>
    public long Available
    {
        get
        {
            Refresh();
            return Volatile.Read(ref _available);
        }
    }

    private string ReservePath => Path.Combine(_directory, ReserveName);

    /// <summary>
    /// Whether a message of <paramref name="bytes"/> may be taken now. Asked at MAIL against the
    /// whole margin; asked again when the message is written (<paramref name="admitted"/>) against
    /// a quarter of it, so that messages admitted at MAIL are not refused after their transfer
    /// because other messages and the spool's bookkeeping used some space meanwhile.
    /// </summary>
    public bool HasRoomFor(long bytes, bool admitted = false)
    {
        Refresh();
        if (Fits(bytes, admitted))
        {
            return true;
        }

        // A refusal is rare and worth a fresh look: space may have come back within the last
        // quarter second (deliveries, or the operator).
        _checked = false;
        Refresh();
        return Fits(bytes, admitted);
    }

    /// <summary>
    /// Full, or under a quarter of the margin, as last read (no fresh look: this is asked for every
    /// event-log line, and a refusal's re-read would be a syscall per line while the disk is short).
    /// </summary>
    public bool Short
    {
        get
        {
            Refresh();
            return !Fits(0, admitted: true);
        }
    }

    /// <summary>
    /// Space was taken or given back: the next question reads the filesystem again. Called after
    /// every commit (one statvfs per batch, not per message): a MAIL answered from a quarter-second-old
    /// figure let a burst through to a refusal after DATA instead of at MAIL.
    /// </summary>
    public void Changed() => _checked = false;

    /// <summary>Free space is under twice the margin: the WAL is kept short.</summary>
    public bool Pressed => Available < 2 * _minFree;

    private bool Fits(long bytes, bool admitted) => !_full && Volatile.Read(ref _available) - bytes >= (admitted ? _minFree / 4 : _minFree);

    /// <summary>A write failed with ENOSPC or SQLITE_FULL.</summary>
    public void MarkFull()
    {
        _full = true;
        _checked = false;
    }

    /// <summary>Gives the reserve back to the filesystem; true if there was one to give.</summary>
    public bool Release()
    {
        try
        {
            _reserveExists = false;
            if (!File.Exists(ReservePath))
            {
                return false;
            }

            File.Delete(ReservePath);
            _checked = false;
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// Makes the reserve when it is missing and the space is there (allocated, not sparse: a
    /// reserve that is only a size would free nothing), and lifts the full state once free space
    /// is at the margin again. Called by the writer thread between batches.
    /// </summary>
    public void Restore()
    {
        if (File.Exists(ReservePath))
        {
            _reserveExists = true;
            return;
        }

        if (Available < _reserveBytes + Math.Max(_minFree, _reserveBytes))
        {
            return;
        }

        try
        {
            using (File.OpenHandle(ReservePath, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, preallocationSize: _reserveBytes))
            {
            }

            _reserveExists = true;
        }
        catch (IOException)
        {
            // Not enough after all (a failed preallocation leaves nothing behind): next time.
            File.Delete(ReservePath);
        }

        _checked = false;
    }

    private void Refresh()
    {
        var now = _time.GetTimestamp();
        if (_checked && _time.GetElapsedTime(Volatile.Read(ref _checkedAt), now) < RefreshEvery)
        {
            return;
        }

        lock (_gate)
        {
            // Another thread may have read it while this one waited.
            if (_checked && _time.GetElapsedTime(Volatile.Read(ref _checkedAt), now) < RefreshEvery)
            {
                return;
            }

            long available;
            try
            {
                available = new DriveInfo(_directory).AvailableFreeSpace;
            }
            catch (IOException)
            {
                // The filesystem cannot say: do not refuse on a guess.
                available = long.MaxValue;
            }

            Volatile.Write(ref _available, available);

            // Space is back (freed by deliveries or by the operator): intake resumes without a
            // restart once the margin and a new reserve fit.
            if (_full && available >= _minFree + (_reserveExists ? 0 : _reserveBytes))
            {
                _full = false;
            }

            Volatile.Write(ref _checkedAt, now);
            _checked = true;
        }
    }
}
