from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):
    """Email, whether it is verified (a provider user whose last name is "unverified"
    is not) and name, in the ID token as a real provider sends them."""

    def get_additional_claims(self, request):
        user = request.user
        return {
            "email": user.email,
            "email_verified": user.last_name != "unverified",
            "name": user.first_name,
        }
