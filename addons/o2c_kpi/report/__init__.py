from . import o2c_kpi_team_performance_report
