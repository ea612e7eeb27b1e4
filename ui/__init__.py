"""The chat UI: a Streamlit client of the HTTP API (`streamlit run ui/app.py`)."""
