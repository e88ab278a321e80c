"""The SQL of the app's frame (dashboards/app.py)."""

# The name a 学院 login's sidebar shows: its org's latest name
LOGIN_COLLEGE_NAME_SQL = "select org_name from marts.dim_org where org_code = ? order by year desc limit 1"
