"""What is kept about a tool beyond its terms and seats: its documents (contract, order form,
security review: copies of the user's files in the data folder) and the vendor's contacts.
"""
