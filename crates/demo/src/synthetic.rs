//! Synthetic people, shared by the demo commune and the tooling (`toso
//! gen`, `toso sample-roster`): the one place that owns the name parts,
//! the phone prefixes and the deterministic generator that draws from
//! them. No real person: names are drawn from common Vietnamese name parts.

use toso_domain::Gender;

/// Family names, weighted by repetition as they are in the country.
pub const FAMILY: &[&str] = &[
    "Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Phạm", "Hoàng", "Vũ", "Vũ",
    "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Đinh", "Lương", "Phan", "Hà", "Mai", "Tô", "Đoàn",
];
/// Middle names of men.
pub const MIDDLE_M: &[&str] = &[
    "Văn", "Văn", "Đức", "Minh", "Hữu", "Quang", "Xuân", "Thành", "Ngọc",
];
/// Middle names of women.
pub const MIDDLE_F: &[&str] = &["Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Minh", "Hồng"];
/// Given names of men.
pub const GIVEN_M: &[&str] = &[
    "Đức", "Hùng", "Dũng", "Tuấn", "Hải", "Long", "Nam", "Sơn", "Thắng", "Cường", "Quân", "Huy",
    "Phong", "Toàn", "Việt", "Khánh", "Trung", "Hiếu", "Bình", "Tùng", "Vững", "Lâm", "Hòa",
];
/// Given names of women.
pub const GIVEN_F: &[&str] = &[
    "Hoa", "Lan", "Hương", "Mai", "Hằng", "Linh", "Trang", "Thủy", "Nga", "Huyền", "Yến", "Thảo",
    "Phương", "Dung", "Hạnh", "Loan", "Nhung", "Vân", "Oanh", "Quyên",
];
/// Prefixes of Vietnamese mobile numbers.
pub const MOBILE_PREFIXES: &[&str] = &[
    "091", "094", "098", "097", "086", "033", "035", "038", "070", "079", "089", "090", "093",
];

/// A full name for `gender`: family, middle and given name, each part
/// chosen by `pick(n)` (an index below `n`), so any source of randomness
/// can draw from the same lists.
pub fn person_name(gender: Gender, mut pick: impl FnMut(usize) -> usize) -> String {
    let (middle, given) = match gender {
        Gender::Nu => (MIDDLE_F, GIVEN_F),
        _ => (MIDDLE_M, GIVEN_M),
    };
    let family = FAMILY[pick(FAMILY.len())];
    let middle = middle[pick(middle.len())];
    let given = given[pick(given.len())];
    format!("{family} {middle} {given}")
}

/// A mobile number unique to `seq` (among the same prefix): a prefix drawn
/// by `rng`, then seven digits from `seq`.
pub fn mobile_phone(rng: &mut Rng, seq: u64) -> String {
    // 104729 is prime, so seq -> suffix is one-to-one modulo 10^7.
    format!(
        "{}{:07}",
        rng.pick(MOBILE_PREFIXES),
        (seq * 104_729 + 2_025_311) % 10_000_000
    )
}

/// SplitMix64: a tiny deterministic generator, so synthetic data never
/// depends on a crate's random-number algorithm.
pub struct Rng(u64);

impl Rng {
    /// The generator whose state is `state`, as it is.
    pub fn from_state(state: u64) -> Rng {
        Rng(state)
    }
    /// The generator of `stream` for `seed`: different streams of one seed
    /// draw independent sequences.
    pub fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next_u64();
        r
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    /// Uniform in [lo, hi].
    pub fn range(&mut self, (lo, hi): (u64, u64)) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    /// One of `items` (not empty), uniformly.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    /// An index drawn with the given weights.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.below(u64::from(total)) as u32;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
    /// Poisson with mean `lambda` (Knuth; the means here are small).
    pub fn poisson(&mut self, lambda: f64) -> u32 {
        let limit = (-lambda).exp();
        let mut k = 0;
        let mut p = self.unit();
        while p > limit {
            k += 1;
            p *= self.unit();
        }
        k
    }
    /// `k` distinct indexes below `n` (k ≤ n), in drawing order.
    pub fn sample(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut all: Vec<usize> = (0..n).collect();
        for i in 0..k.min(n) {
            let j = i + self.below((n - i) as u64) as usize;
            all.swap(i, j);
        }
        all.truncate(k.min(n));
        all
    }
    /// A full name for `gender` ([`person_name`]).
    pub fn person_name(&mut self, gender: Gender) -> String {
        person_name(gender, |n| self.below(n as u64) as usize)
    }
}
