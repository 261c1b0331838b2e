"""Models the benchmarks share, in lavaan syntax."""

#: Holzinger and Swineford's three-factor CFA.
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"

#: The ``live_commerce`` SEM: 21 items, 7 factors, 12 paths.
LIVE_COMMERCE_MODEL = """T =~ T1 + T2 + T3
SN =~ SN1 + SN2 + SN3
PI =~ PI1 + PI2 + PI3
HI =~ HI1 + HI2 + HI3
MI =~ MI1 + MI2 + MI3
RB =~ RB1 + RB2 + RB3
RD =~ RD1 + RD2 + RD3
PI ~ T + SN
HI ~ T + SN
MI ~ T + SN
RB ~ PI + HI + MI
RD ~ PI + HI + MI
T ~~ SN
"""
