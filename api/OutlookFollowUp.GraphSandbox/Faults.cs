namespace OutlookFollowUp.GraphSandbox;

/// <summary>The faults a test can inject, at a rate, each chosen with equal odds among those switched on.</summary>
public sealed class FaultOptions
{
    /// <summary>The share of Graph requests that get a fault, 0 to 1.</summary>
    public double Rate { get; set; }

    public bool Throttle { get; set; } = true;
    public bool Unavailable { get; set; } = true;
    public bool Latency { get; set; } = true;
    public bool DropConnection { get; set; } = true;

    /// <summary>The ambiguous one: the write is done, then the answer fails (a 500 or a dropped connection).</summary>
    public bool CommitThenFail { get; set; } = true;

    public double RetryAfterSeconds { get; set; } = 0.05;
    public TimeSpan ExtraLatency { get; set; } = TimeSpan.FromMilliseconds(150);
    public int Seed { get; set; } = 1;
}

public enum FaultKind { None, Throttle, Unavailable, Latency, DropConnection, CommitThenFail }

public sealed partial class GraphSandbox
{
    private FaultOptions _faults = new();
    private Random _faultRandom = new(1);
    private readonly Lock _faultGate = new();
    private int _faultsInjected;

    /// <summary>Faults injected so far (not counted as the client's throttling violations).</summary>
    public int FaultsInjected => Volatile.Read(ref _faultsInjected);

    public void InjectFaults(FaultOptions faults)
    {
        lock (_faultGate)
        {
            _faults = faults;
            _faultRandom = new Random(faults.Seed);
        }
    }

    private FaultKind NextFault()
    {
        lock (_faultGate)
        {
            if (_faults.Rate <= 0 || _faultRandom.NextDouble() >= _faults.Rate) return FaultKind.None;
            var kinds = new List<FaultKind>();
            if (_faults.Throttle) kinds.Add(FaultKind.Throttle);
            if (_faults.Unavailable) kinds.Add(FaultKind.Unavailable);
            if (_faults.Latency) kinds.Add(FaultKind.Latency);
            if (_faults.DropConnection) kinds.Add(FaultKind.DropConnection);
            if (_faults.CommitThenFail) kinds.Add(FaultKind.CommitThenFail);
            if (kinds.Count == 0) return FaultKind.None;
            Interlocked.Increment(ref _faultsInjected);
            return kinds[_faultRandom.Next(kinds.Count)];
        }
    }
}
