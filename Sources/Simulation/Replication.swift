/// Independent replications of one scenario: the same model run on different random substreams.
public enum Replication {
    /// The seed of replication `index` of a scenario with seed `seed`.
    ///
    /// Replication 0 uses the scenario seed itself, so one replication is exactly a plain run. Replication
    /// `i > 0` uses `splitmix64(splitmix64(seed ^ 0x5EED_0F_4E9_11CA) ^ i)` (the SplitMix64 finaliser that
    /// derives the per-client streams, ``RandomStream``): neighbouring seeds and indices land far apart, and
    /// every client stream of every replication is derived from its replication seed as in a plain run.
    public static func seed(_ seed: UInt64, replication index: Int) -> UInt64 {
        guard index > 0 else { return seed }
        return RandomStream.mix(RandomStream.mix(seed ^ 0x5EED_0F_4E9_11CA) ^ UInt64(index))
    }
}
