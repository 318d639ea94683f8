"""The synthetic GSMA TAC catalog: brands, models, bands, allocation dates and their TACs.

A TAC (Type Allocation Code, 3GPP TS 23.003 §6.2) is the first 8 digits of an IMEI and names
a device model. The catalog is built once per simulation from the seed and written in the
GSMA pipe format. Besides the allocated TACs it keeps TACs that were never allocated (for
counterfeit devices), the GSMA test range `001001xx`, and old "legacy" TACs that no live
device uses, whose IMEIs cheap handsets copy with an all-same serial.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from openceir.simulate import radio

GSMA_HEADER = (
    "TAC|Manufacturer|Model_Name|Bands|Allocation_Date|Device_Type|Brand_Name|"
    "Operating_System|Radio_Interface"
)
BRAND_NEW_TACS = 4  # of the 16 TACs missing from the catalog, the last ones are brand new
MAX_TAC_SHARE = 0.01  # a popular model gets several TACs so that no TAC carries more than this

# (brand, manufacturer, TAC prefixes, operating system of its smartphones)
_PHONE_BRANDS = (
    ("Aurora", "Aurora Mobile Ltd", ("35", "86"), "Android"),
    ("Kestrel", "Kestrel Devices Inc.", ("01", "35"), "KestrelOS"),
    ("Tecnova", "Tecnova Communication Co., Ltd.", ("86", "35"), "Android"),
    ("Zebu", "Zebu Telecom Ltd", ("86",), "Android"),
    ("Lumio", "Lumio Electronics Co.", ("35", "86"), "Android"),
    ("Orbis", "Orbis Technologies SA", ("35", "01"), "Android"),
    ("Nyota", "Nyota Mobile Ltd", ("86", "35"), "Android"),
    ("Polaris", "Polaris Wireless GmbH", ("35",), "Android"),
)
_IOT_BRANDS = (
    ("Quecta", "Quecta Wireless Solutions Co., Ltd.", ("86",)),
    ("Telitron", "Telitron Communications S.p.A.", ("35",)),
    ("Nordlink", "Nordlink Semiconductor ASA", ("35", "01")),
)


@dataclass(frozen=True)
class DeviceClass:
    """A kind of device: its GSMA device type, RATs, model series and share of phones."""

    name: str
    device_type: str
    rats: int
    series: str
    share: float  # of ordinary handsets (phone classes) or of IoT modules (iot classes)
    iot: bool = False


_G, _U, _E, _N = radio.GERAN, radio.UTRAN, radio.EUTRAN, radio.NR
CLASSES = (
    DeviceClass("smartphone_5g", "Smartphone", _G | _U | _E | _N, "X", 0.33),
    DeviceClass("smartphone_4g", "Smartphone", _G | _U | _E, "A", 0.40),
    DeviceClass("feature_2g", "Feature Phone", _G, "F", 0.12),
    DeviceClass("feature_3g", "Feature Phone", _G | _U, "C", 0.08),
    DeviceClass("tablet", "Tablet", _G | _U | _E, "Tab ", 0.04),
    DeviceClass("modem", "Modem", _U | _E, "Link ", 0.03),
    DeviceClass("iot_ltem", "IoT Device", _E | radio.LTEM, "BG", 0.6, iot=True),
    DeviceClass("iot_nbiot", "IoT Device", radio.NBIOT, "BC", 0.4, iot=True),
)
CLASS_INDEX = {c.name: i for i, c in enumerate(CLASSES)}
# A device seen on a RAT its model cannot support: (class, the RAT it shows up on).
RAT_MISMATCH = (
    ("feature_2g", radio.EUTRAN),
    ("iot_ltem", radio.GERAN),
    ("smartphone_4g", radio.NR),
)


@dataclass(frozen=True)
class Model:
    """One device model of the catalog."""

    brand: str
    manufacturer: str
    name: str
    model_number: str
    device_class: int
    operating_system: str
    weight: float  # popularity within its class
    legacy: bool = False

    @property
    def kind(self) -> DeviceClass:
        return CLASSES[self.device_class]


@dataclass(frozen=True)
class Catalog:
    """Models and TACs; TAC arrays are indexed by TAC number, counterfeit TACs appended last."""

    models: tuple[Model, ...]
    tac: np.ndarray  # int64 TAC values: catalog TACs, then the never-allocated pool
    tac_model: np.ndarray  # model index, -1 for never-allocated TACs
    allocation: tuple[dt.date, ...]  # allocation date of each catalog TAC
    n_allocated: int
    legacy: np.ndarray  # TAC numbers of legacy (unused, copied) TACs starting with 35
    test_tacs: np.ndarray  # GSMA test TAC values 001001xx

    @property
    def counterfeit(self) -> np.ndarray:
        """TAC numbers of the never-allocated TACs that counterfeit devices carry."""
        return np.arange(self.n_allocated, self.tac.size - BRAND_NEW_TACS)

    @property
    def brand_new(self) -> np.ndarray:
        """TAC numbers of models allocated so recently that the catalog lacks them yet."""
        return np.arange(self.tac.size - BRAND_NEW_TACS, self.tac.size)

    def pool(self, class_names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """TAC numbers of live devices of these classes and their cumulative probabilities."""
        wanted = {CLASS_INDEX[n] for n in class_names}
        numbers, weights = [], []
        for number in range(self.n_allocated):
            model = self.models[self.tac_model[number]]
            if model.device_class in wanted and not model.legacy:
                numbers.append(number)
                weights.append(model.weight)
        per_model = np.bincount(self.tac_model[numbers], minlength=len(self.models))
        w = np.array(weights, dtype=np.float64) / per_model[self.tac_model[numbers]]
        for c in wanted:  # scale each class to its share
            in_class = np.array([self.models[self.tac_model[n]].device_class == c for n in numbers])
            if in_class.any():
                w[in_class] *= CLASSES[c].share / w[in_class].sum()
        cumulative = np.cumsum(w / w.sum())
        cumulative[-1] = 1.0
        return np.array(numbers, dtype=np.int64), cumulative

    def rats_of(self, numbers: np.ndarray) -> np.ndarray:
        """Supported RAT mask of each TAC number (never-allocated TACs: a 4G smartphone)."""
        masks = np.array([m.kind.rats for m in self.models] + [_G | _U | _E], dtype=np.int64)
        model = self.tac_model[numbers]
        return masks[np.where(model < 0, len(self.models), model)]

    def rows(self) -> list[str]:
        """The GSMA pipe-format lines (without header) of every allocated TAC, by TAC."""
        lines = []
        for number in np.argsort(self.tac[: self.n_allocated], kind="stable").tolist():
            m = self.models[self.tac_model[number]]
            lines.append(
                "|".join(
                    (
                        f"{int(self.tac[number]):08d}",
                        m.manufacturer,
                        m.name,
                        radio.bands(m.kind.rats),
                        self.allocation[number].isoformat(),
                        m.kind.device_type,
                        m.brand,
                        m.operating_system,
                        radio.radio_interface(m.kind.rats),
                    )
                )
            )
        return lines


def _os_for(cls: DeviceClass, brand_os: str) -> str:
    if cls.iot:
        return "RTOS"
    if cls.name.startswith("feature"):
        return "KaiOS" if cls.rats & radio.UTRAN else "Proprietary"
    if cls.name == "modem":
        return "Proprietary"
    return brand_os


def build_catalog(rng: np.random.Generator, start: dt.date, models_per_class: int = 6) -> Catalog:
    """A catalog of models for every class and brand, with TACs allocated before `start`."""
    models: list[Model] = []
    prefixes: list[tuple[str, ...]] = []
    for ci, cls in enumerate(CLASSES):
        brands = [(b, m, p, "RTOS") for b, m, p in _IOT_BRANDS] if cls.iot else list(_PHONE_BRANDS)
        for k in range(models_per_class if not cls.iot else 3):
            brand, maker, prefix, brand_os = brands[int(rng.integers(len(brands)))]
            number = int(rng.integers(10, 99))
            suffix = " 5G" if cls.rats & radio.NR else ""
            name = f"{brand} {cls.series}{number}{suffix}"
            code = f"{brand[:3].upper()}-{cls.series.strip()}{number}{k}"
            weight = float(1.0 / (k + 1) ** 1.1)  # Zipf-like popularity within the class
            models.append(Model(brand, maker, name, code, ci, _os_for(cls, brand_os), weight))
            prefixes.append(prefix)
    # Legacy 2G/3G phones: allocated long ago, no live device uses them; clones copy them.
    for k in range(3):
        brand, maker, _prefix, _os = _PHONE_BRANDS[k]
        cls_index = CLASS_INDEX["feature_3g"]
        models.append(
            Model(
                brand,
                maker,
                f"{brand} Classic {100 + k}",
                f"{brand[:3].upper()}-CL{k}",
                cls_index,
                "Proprietary",
                0.0,
                legacy=True,
            )
        )
        prefixes.append(("35",))

    used: set[int] = set()

    def fresh_tac(prefix: str) -> int:
        while True:
            value = int(prefix) * 10**6 + int(rng.integers(0, 10**6))
            if value not in used:
                used.add(value)
                return value

    # Class shares spread over models, then over enough TACs to keep each TAC small.
    class_weight = {
        ci: sum(m.weight for m in models if m.device_class == ci) for ci in range(len(CLASSES))
    }
    tacs: list[int] = []
    tac_model: list[int] = []
    allocation: list[dt.date] = []
    legacy: list[int] = []
    for mi, model in enumerate(models):
        cls = model.kind
        share = 0.0 if model.legacy else cls.share * model.weight / class_weight[model.device_class]
        n_tacs = max(1, int(np.ceil(share / MAX_TAC_SHARE)))
        released = start - dt.timedelta(
            days=int(rng.integers(60, 365 * (15 if model.legacy else 8)))
        )
        for t in range(n_tacs):
            prefix = prefixes[mi][int(rng.integers(len(prefixes[mi])))] if t else prefixes[mi][0]
            if model.legacy:
                prefix = "35"
                legacy.append(len(tacs))
            tacs.append(fresh_tac(prefix))
            tac_model.append(mi)
            allocation.append(released + dt.timedelta(days=int(rng.integers(0, 60)) - 60))
    n_allocated = len(tacs)
    for _ in range(16):  # not in the catalog: counterfeits' TACs, then brand-new ones
        tacs.append(fresh_tac(("35", "86")[int(rng.integers(2))]))
        tac_model.append(-1)
    return Catalog(
        models=tuple(models),
        tac=np.array(tacs, dtype=np.int64),
        tac_model=np.array(tac_model, dtype=np.int64),
        allocation=tuple(allocation),
        n_allocated=n_allocated,
        legacy=np.array(legacy, dtype=np.int64),
        test_tacs=np.arange(100_101, 100_110, dtype=np.int64),  # 00100101 .. 00100109
    )
